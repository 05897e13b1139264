#include "grammar/json_text.hpp"

#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "grammar/utf8.hpp"

namespace authgate::grammar {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

char* put(char* out, std::string_view text) noexcept {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

char* put_unicode_escape(char* out, unsigned code) noexcept {
  *out++ = '\\';
  *out++ = 'u';
  *out++ = hex_digits[(code >> 12) & 0xf];
  *out++ = hex_digits[(code >> 8) & 0xf];
  *out++ = hex_digits[(code >> 4) & 0xf];
  *out++ = hex_digits[code & 0xf];
  return out;
}

char* put_ascii_escape(char* out, unsigned char c) noexcept {
  switch (c) {
    case '"':
      return put(out, "\\\"");
    case '\\':
      return put(out, "\\\\");
    case '\b':
      return put(out, "\\b");
    case '\f':
      return put(out, "\\f");
    case '\n':
      return put(out, "\\n");
    case '\r':
      return put(out, "\\r");
    case '\t':
      return put(out, "\\t");
    default:
      return put_unicode_escape(out, c);  // other C0 controls and DEL
  }
}

/// Writes the well-formed sequence s[i, i+len), escaping C1 controls and U+2028/U+2029.
char* put_utf8(char* out, std::string_view s, std::size_t i, std::size_t len) noexcept {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b0 == 0xc2 && b1 < 0xa0) {
    return put_unicode_escape(out, b1);  // U+0080–U+009F: C1 controls (8-bit CSI) must not reach a terminal
  }
  if (len == 3 && b0 == 0xe2 && b1 == 0x80 && (s[i + 2] == '\xa8' || s[i + 2] == '\xa9')) {
    return put_unicode_escape(out, 0x2000u + (static_cast<unsigned char>(s[i + 2]) - 0x80u));  // U+2028/9
  }
  return put(out, s.substr(i, len));
}

#if defined(__SSE2__)
// Sixteen bytes at a time: one bit per byte that stops the plain run (anything but printable ASCII other
// than `"` and `\`). A signed byte below 0x20 is a C0 control or 0x80–0xff (UTF-8, checked apart).
unsigned stop_bits(const char* at) noexcept {
  const __m128i bytes = _mm_loadu_si128(reinterpret_cast<const __m128i*>(at));  // NOLINT: unaligned load
  const __m128i stops = _mm_or_si128(
      _mm_or_si128(_mm_cmplt_epi8(bytes, _mm_set1_epi8(0x20)), _mm_cmpeq_epi8(bytes, _mm_set1_epi8(0x7f))),
      _mm_or_si128(_mm_cmpeq_epi8(bytes, _mm_set1_epi8('"')), _mm_cmpeq_epi8(bytes, _mm_set1_epi8('\\'))));
  return static_cast<unsigned>(_mm_movemask_epi8(stops));
}

/// A value shorter than a block (a method, an address, a route name), in a block padded with plain bytes.
std::size_t plain_prefix_of_short(std::string_view value) noexcept {
  std::array<char, 16> block;  // NOLINT(cppcoreguidelines-pro-type-member-init): filled on the next line
  block.fill('a');
  std::memcpy(block.data(), value.data(), value.size());
  const unsigned stops = stop_bits(block.data());
  return stops == 0 ? value.size() : static_cast<std::size_t>(__builtin_ctz(stops));
}

std::size_t plain_prefix_by_sixteen(std::string_view value) noexcept {
  std::size_t i = 0;
  for (; i + 16 <= value.size(); i += 16) {
    if (const unsigned stops = stop_bits(value.data() + i); stops != 0)
      return i + static_cast<std::size_t>(__builtin_ctz(stops));
  }
  if (i == value.size()) return i;
  // The last bytes, in one load that overlaps what passed already.
  const std::size_t last = value.size() - 16;
  const unsigned stops = stop_bits(value.data() + last) >> (i - last);
  return stops == 0 ? value.size() : i + static_cast<std::size_t>(__builtin_ctz(stops));
}
#else
constexpr bool is_plain_ascii(unsigned char c) noexcept {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

constexpr std::array<bool, 256> plain_bytes = [] {
  std::array<bool, 256> table{};
  for (unsigned c = 0; c < 256; ++c) table[c] = is_plain_ascii(static_cast<unsigned char>(c));
  return table;
}();
#endif

}  // namespace

std::size_t plain_json_prefix(std::string_view value) noexcept {
#if defined(__SSE2__)
  return value.size() >= 16 ? plain_prefix_by_sixteen(value) : plain_prefix_of_short(value);
#else
  std::size_t i = 0;  // a byte at a time where SSE2 is missing (x86-64 always has it)
  while (i < value.size() && plain_bytes[static_cast<unsigned char>(value[i])]) ++i;
  return i;
#endif
}

char* write_json_string(char* out, std::string_view value) noexcept {
  *out++ = '"';
  char32_t code_point = 0;  // unused: put_utf8 works on the bytes
  for (;;) {
    const std::size_t run = plain_json_prefix(value);
    out = put(out, value.substr(0, run));
    value.remove_prefix(run);
    if (value.empty()) break;
    const auto c = static_cast<unsigned char>(value[0]);
    std::size_t used = 1;
    if (c < 0x80) {
      // Why: a raw newline or quote from a client-chosen path would forge a log line (CWE-117).
      out = put_ascii_escape(out, c);
    } else if (const std::size_t len = utf8_sequence(value, 0, code_point); len == 0) {
      out = put(out, "\\ufffd");  // one replacement per ill-formed byte; the line stays valid UTF-8 JSON
    } else {
      out = put_utf8(out, value, 0, len);
      used = len;
    }
    value.remove_prefix(used);
  }
  *out++ = '"';
  return out;
}

}  // namespace authgate::grammar
