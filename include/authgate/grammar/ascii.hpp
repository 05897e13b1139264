#pragma once
// ASCII character helpers every layer shares: case folding, hex digit values, RFC 3986 unreserved.
// Locale-free on purpose: HTTP field names, auth-schemes, URI schemes, hosts and %XX escapes are ASCII
// by definition (RFC 9110 §5.1, §11.1; RFC 3986 §3.1, §3.2.2), and a byte >= 0x80 is never folded.

#include <cstddef>
#include <string>
#include <string_view>

namespace authgate::grammar {

/// 'A'..'Z' to 'a'..'z'; every other byte unchanged.
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

/// 'a'..'z' to 'A'..'Z'; every other byte unchanged.
constexpr char to_upper(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c; }

/// An ASCII lower-case copy of `text`.
inline std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_lower(c);
  return out;
}

/// An ASCII upper-case copy of `text`.
inline std::string to_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = to_upper(c);
  return out;
}

/// Case-insensitive ASCII comparison, e.g. for scheme and parameter names (RFC 9110 §11.1, §11.2).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i];
    const char y = b[i];
    if (x == y) continue;  // the usual case: the same byte, so no folding to do
    // Otherwise equal only as the two cases of one letter: they differ in bit 0x20 alone.
    const char lower = static_cast<char>(x | 0x20);
    if ((x ^ y) != 0x20 || lower < 'a' || lower > 'z') return false;
  }
  return true;
}

/// The value of a hex digit (0-9, a-f, A-F; RFC 3986 §2.1 HEXDIG in either case), or -1 for any other byte.
constexpr int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
constexpr bool is_unreserved(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

}  // namespace authgate::grammar
