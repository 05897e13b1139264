#pragma once
// Bearer tokens outside the Authorization field (RFC 6750 §2.2 form body, §2.3 URI query): finding the
// `access_token` parameters of an application/x-www-form-urlencoded string, and removing them from the
// query forwarded upstream. Pure; no I/O.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace authgate::schemes {

/// The decoded values of every `access_token` parameter of a form-urlencoded string (WHATWG URL
/// "application/x-www-form-urlencoded parsing": '&'-separated, '+' is a space, %XX escapes), in order.
/// nullopt when an `access_token` value has a broken %-escape. Other parameters are not decoded.
std::optional<std::vector<std::string>> access_tokens_in(std::string_view form);

/// `query` without its `access_token` parameters (the others byte for byte, in order), so the token
/// does not reach the upstream's logs. Empty when nothing else remains.
std::string without_access_token(std::string_view query);

}  // namespace authgate::schemes
