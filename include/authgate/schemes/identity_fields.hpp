#pragma once
// The rule every scheme applies before it answers Authenticated: the identity must be writable into the
// identity headers the upstream trusts (X-Auth-User, X-Auth-Groups) exactly as it is. User and group
// names come from places users influence — token claims (display names, e-mail local parts), directory
// group names, introspection answers, password and group files — and a CR or LF there would let a
// token holder add header fields of their choice to the upstream request (issue 11 F2).

#include <optional>
#include <string_view>

#include "authgate/identity.hpp"

namespace authgate::schemes {

/// Why `identity` cannot be sent in header fields, or nullopt when it can. Refused:
///  - a user name that is empty or not a clean field value (grammar::is_field_value: no NUL, CR, LF,
///    other control characters or DEL, no leading or trailing whitespace);
///  - a group name likewise, or one containing ',': X-Auth-Groups is a comma-separated list, so
///    "users,admins" would reach the upstream as two groups (issue 11 F4).
/// The text is for logs and error_description; it never quotes the offending name.
std::optional<std::string_view> identity_field_problem(const Identity& identity) noexcept;

}  // namespace authgate::schemes
