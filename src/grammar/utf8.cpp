// UTF-8 well-formedness (see utf8.hpp).
#include "grammar/utf8.hpp"

namespace authgate::grammar {

std::size_t utf8_sequence(std::string_view s, std::size_t i, char32_t& code_point) noexcept {
  const auto byte = [&](std::size_t k) -> unsigned {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;  // 0 is never a continuation
  };
  const unsigned lead = byte(0);
  std::size_t length = 0;
  unsigned low = 0x80, high = 0xBF;  // the second byte's range (Unicode Table 3-7)
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2, code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3, code_point = lead & 0x0Fu;
    low = lead == 0xE0 ? 0xA0 : low;
    high = lead == 0xED ? 0x9F : high;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4, code_point = lead & 0x07u;
    low = lead == 0xF0 ? 0x90 : low;
    high = lead == 0xF4 ? 0x8F : high;
  } else {
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    const unsigned b = byte(k);
    if (b < (k == 1 ? low : 0x80u) || b > (k == 1 ? high : 0xBFu)) return 0;
    code_point = (code_point << 6) | (b & 0x3Fu);
  }
  return length;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view s) noexcept {
  char32_t code_point = 0;
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t length = utf8_sequence(s, i, code_point);
    if (length == 0) return i;
    i += length;
  }
  return std::nullopt;
}

}  // namespace authgate::grammar
