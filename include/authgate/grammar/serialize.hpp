#pragma once
// One canonical form for every field we send: `Scheme token68` or `Scheme a="b", algorithm=SHA-256`.
// Values are quoted-strings with '"' and '\' escaped, except the few params that RFC 7616 and real
// clients expect bare (algorithm, stale, nc, qop, userhash) when their value is a token. So
// parse(to_field(x)) == x for every x whose names are tokens (params lower-case) and whose values hold
// no control characters other than HTAB. A control character (other than HTAB) is written as SP, so no
// value can split the header line. Names, schemes and token68 values are the caller's tokens and are
// written as they are (control characters likewise become SP).

#include <span>
#include <string>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar {

/// `Scheme token68`, `Scheme a="b", c="d"` or `Scheme`. When both are set, token68 wins and the params are
/// not written (a challenge carries one or the other, RFC 9110 §11.2).
std::string to_field(const Challenge& challenge);
/// Several challenges in one field value, separated by ", ".
std::string to_field(std::span<const Challenge> challenges);
/// The Authorization / Proxy-Authorization value, spelled like a challenge.
std::string to_field(const Credentials& credentials);
/// Authentication-Info: params separated by ", ".
std::string to_field(std::span<const AuthParam> params);

/// True when `value` may be sent as a field value exactly as it is (RFC 9110 §5.5): empty, or
/// field-vchar (VCHAR / obs-text) with SP and HTAB only between them. No NUL, CR, LF, other control
/// character or DEL, and no leading or trailing whitespace, which a recipient strips (so "alice " would
/// arrive as "alice").
bool is_field_value(std::string_view value) noexcept;

/// Appends `value` as a quoted-string (always quoted), escaping '"' and '\'.
void append_quoted(std::string& out, std::string_view value);

}  // namespace authgate::grammar
