#pragma once
// Value types of the RFC 9110 §11 authentication fields, and the typed parse error every parser returns.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/grammar/ascii.hpp"  // iequals, for scheme and parameter names

namespace authgate::grammar {

/// One auth-param (RFC 9110 §11.2). `name` is lower-cased; `value` is unquoted and unescaped.
struct AuthParam {
  std::string name;
  std::string value;
  friend bool operator==(const AuthParam&, const AuthParam&) = default;
};

/// One challenge of WWW-Authenticate / Proxy-Authenticate. `scheme` keeps the sender's spelling; compare
/// it with `scheme_is()`. Either `token68` or `params` is used, never both.
struct Challenge {
  std::string scheme;
  std::optional<std::string> token68;
  std::vector<AuthParam> params;
  friend bool operator==(const Challenge&, const Challenge&) = default;
};

/// The one credentials value of Authorization / Proxy-Authorization. Same shape as a challenge.
struct Credentials {
  std::string scheme;
  std::optional<std::string> token68;
  std::vector<AuthParam> params;
  friend bool operator==(const Credentials&, const Credentials&) = default;
};

/// Why a field did not parse. Closed set: names go to logs and to `authgate header parse`.
enum class ParseErrc : std::uint8_t {
  empty,                // no challenge / credentials at all
  too_long,             // field longer than Limits::max_field_bytes
  too_many_challenges,  // more than Limits::max_challenges
  too_many_params,      // more than Limits::max_params in one challenge / credentials
  expected_scheme,      // a list element does not start with a token, or is an auth-param without a scheme
  expected_param,       // where an auth-param must start there is no token
  expected_equals,      // auth-param name not followed by '='
  expected_value,       // '=' not followed by a token or quoted-string
  unterminated_quote,   // quoted-string without closing DQUOTE
  bad_quoted_char,      // control character inside a quoted-string, or a lone '\' at the end
  duplicate_param,      // the same auth-param name twice in one challenge (RFC 9110 §11.2)
  expected_comma,       // garbage after a complete element (or a stray ',' after credentials)
  more_than_one,        // Authorization holds more than one credentials value
  bad_base64,           // base64 / base64url decoding: invalid alphabet character
  bad_padding,          // base64: missing, misplaced or superfluous '=' padding, or non-zero pad bits
};

/// Stable snake_case name of an error code, e.g. "duplicate_param".
std::string_view to_string(ParseErrc code) noexcept;

/// A parse failure: what went wrong and the byte offset in the input where it was detected.
struct ParseError {
  ParseErrc code;
  std::size_t offset = 0;
  /// One human-readable sentence with the code name and offset, e.g. "auth-param name occurs twice
  /// (duplicate_param at offset 19)". Never echoes input, so never a secret value.
  std::string message() const;
  friend bool operator==(const ParseError&, const ParseError&) = default;
};

/// boost::system::result needs this to turn `.value()` on an error into an exception (tests only;
/// request-path code checks `has_value()` first).
[[noreturn]] void throw_exception_from_error(const ParseError& e, const boost::source_location& loc);

template <class T>
using ParseResult = boost::system::result<T, ParseError>;

/// Size limits applied by every parser; defaults suit a gateway (fields above 8 KiB are hostile).
struct Limits {
  std::size_t max_field_bytes = 8192;
  std::size_t max_challenges = 16;
  std::size_t max_params = 32;
};

/// The value of the first parameter whose name equals `name` case-insensitively, or nullptr.
const std::string* find_param(std::span<const AuthParam> params, std::string_view name) noexcept;

}  // namespace authgate::grammar
