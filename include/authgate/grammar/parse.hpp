#pragma once
// Parsers for the RFC 9110 §11 fields. Pure: no I/O, no exceptions on bad input, bounded by Limits,
// linear in the input. Each error carries the offset where the input stopped making sense (for an
// unterminated quoted-string: the opening DQUOTE; for `too_long`: the limit). A syntax error anywhere
// fails the whole field: after one, where the next challenge starts cannot be known. docs/grammar.md
// lists what is accepted where the RFCs leave room.

#include <span>
#include <string_view>
#include <vector>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar {

/// WWW-Authenticate / Proxy-Authenticate field value: a list of challenges (RFC 9110 §11.6.1, §5.6.1).
/// Empty list elements are skipped; unknown schemes are kept; obs-fold counts as whitespace (RFC 9112
/// §5.2). Errors: `empty` when the list holds no challenge, `too_many_challenges`, `too_many_params`,
/// `duplicate_param` and the syntax errors.
ParseResult<std::vector<Challenge>> parse_challenges(std::string_view field, const Limits& limits = {});

/// Several field lines of the same name, as if joined with ", " (RFC 9110 §5.3); offsets are into the
/// joined value. Each line is parsed on its own, so a quoted-string never spans two lines. The limits
/// apply to the joined value.
ParseResult<std::vector<Challenge>> parse_challenges(std::span<const std::string_view> fields,
                                                     const Limits& limits = {});

/// Authorization / Proxy-Authorization field value: exactly one credentials (RFC 9110 §11.6.2).
/// A second credentials after a comma is `more_than_one`; CR and LF are never whitespace here.
ParseResult<Credentials> parse_credentials(std::string_view field, const Limits& limits = {});

/// Authentication-Info / Proxy-Authentication-Info field value: a list of auth-params (RFC 9110 §11.6.3).
/// An empty value is an empty list; duplicate names are `duplicate_param`.
ParseResult<std::vector<AuthParam>> parse_auth_info(std::string_view field, const Limits& limits = {});

/// RFC 9110 §5.6.2 token (one or more tchar).
bool is_token(std::string_view s) noexcept;
/// RFC 9110 §11.2 token68.
bool is_token68(std::string_view s) noexcept;

}  // namespace authgate::grammar
