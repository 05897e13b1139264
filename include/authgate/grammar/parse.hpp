#pragma once
// Parsers for the RFC 9110 §11 fields. Pure: no I/O, no exceptions on bad input, bounded by Limits,
// linear in the input. Each error carries the offset where the input stopped making sense.

#include <span>
#include <string_view>
#include <vector>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar {

/// WWW-Authenticate / Proxy-Authenticate field value: a list of challenges (RFC 9110 §11.6.1, §5.6.1).
/// Empty list elements are skipped; unknown schemes are kept.
ParseResult<std::vector<Challenge>> parse_challenges(std::string_view field, const Limits& limits = {});

/// Several field lines of the same name, as if joined with ", " (RFC 9110 §5.3); offsets are into the
/// joined value.
ParseResult<std::vector<Challenge>> parse_challenges(std::span<const std::string_view> fields,
                                                     const Limits& limits = {});

/// Authorization / Proxy-Authorization field value: exactly one credentials (RFC 9110 §11.6.2).
ParseResult<Credentials> parse_credentials(std::string_view field, const Limits& limits = {});

/// Authentication-Info / Proxy-Authentication-Info field value: a list of auth-params (RFC 9110 §11.6.3).
ParseResult<std::vector<AuthParam>> parse_auth_info(std::string_view field, const Limits& limits = {});

/// RFC 9110 §5.6.2 token.
bool is_token(std::string_view s) noexcept;
/// RFC 9110 §11.2 token68.
bool is_token68(std::string_view s) noexcept;

}  // namespace authgate::grammar
