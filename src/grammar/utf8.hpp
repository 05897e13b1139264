#pragma once
// Well-formed UTF-8 (RFC 3629 §4), for text that must display as UTF-8: digest-file user names, custom
// error pages. One decoder, so every reader refuses the same byte sequences.

#include <cstddef>
#include <optional>
#include <string_view>

namespace authgate::grammar {

/// Length of the well-formed UTF-8 sequence at s[i] (no overlong forms, no surrogates, nothing above
/// U+10FFFF), 0 when ill-formed; its code point goes to `code_point`.
std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& code_point) noexcept;

/// The offset of the first byte that does not start a well-formed sequence, or nullopt when all of `s`
/// is UTF-8.
std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept;

}  // namespace authgate::grammar
