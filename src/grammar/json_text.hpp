#pragma once
// JSON string literals written straight into a caller's buffer, for the access log: one line per request
// is the log's whole cost, so the escaper scans sixteen bytes at a time (eight without SSE2) and never
// grows a string itself.

#include <cstddef>
#include <string_view>

namespace authgate::grammar {

/// The most bytes write_json_string writes for a value of `size` bytes: two quotes and six per byte
/// (`\u00XX` for a control, `\ufffd` for each byte of an ill-formed sequence).
constexpr std::size_t json_string_bound(std::size_t size) noexcept { return 2 + 6 * size; }

/// Writes `value` as a JSON string literal, quotes included, at `out`, which has room for
/// json_string_bound(value.size()) bytes; returns the end of what it wrote. Escapes `"`, `\`, every control
/// character (C0, DEL, C1) and U+2028/U+2029; each byte that is not part of well-formed UTF-8 (RFC 3629 §4:
/// no overlong forms, no surrogates, nothing above U+10FFFF) becomes \ufffd. The output is valid JSON and
/// one line.
char* write_json_string(char* out, std::string_view value) noexcept;

/// The length of the longest prefix of `value` that is copied as it is: printable ASCII other than `"`
/// and `\`.
std::size_t plain_json_prefix(std::string_view value) noexcept;

}  // namespace authgate::grammar
