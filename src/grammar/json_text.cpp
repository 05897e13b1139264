#include "grammar/json_text.hpp"

#include <array>
#include <cstdint>
#include <cstring>

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

constexpr bool is_plain_ascii(unsigned char c) noexcept {
  return c >= 0x20 && c < 0x7f && c != '"' && c != '\\';
}

constexpr std::array<bool, 256> plain_bytes = [] {
  std::array<bool, 256> table{};
  for (unsigned c = 0; c < 256; ++c) table[c] = is_plain_ascii(static_cast<unsigned char>(c));
  return table;
}();

// Eight bytes at a time (SWAR). With each byte's high bit cleared first (`low`), no sum below carries
// into the next byte, so every test is exact per byte: a word that passes holds no byte to escape.
constexpr std::uint64_t ones = 0x0101010101010101ull;
constexpr std::uint64_t high_bits = 0x8080808080808080ull;

constexpr bool word_is_plain(std::uint64_t word) noexcept {
  const std::uint64_t low = word & ~high_bits;                           // each byte 0x00–0x7f
  const std::uint64_t flagged = word                                     // 0x80–0xff: UTF-8, checked apart
                                | (low + ones)                           // 0x7f (DEL) reaches the high bit
                                | ~(low + ones * 0x60)                   // below 0x20 does not
                                | ~((low ^ (ones * '"')) + ones * 0x7f)  // '"' is the only zero after ^
                                | ~((low ^ (ones * '\\')) + ones * 0x7f);  // '\\' likewise
  return (flagged & high_bits) == 0;
}

// Every byte value at every position among plain neighbours: the word test agrees with the byte table.
constexpr bool word_test_agrees_with_table() noexcept {
  for (unsigned c = 0; c < 256; ++c) {
    for (unsigned at = 0; at < 8; ++at) {
      const std::uint64_t word =
          (ones * 'a' & ~(std::uint64_t{0xff} << (8 * at))) | (std::uint64_t{c} << (8 * at));
      if (word_is_plain(word) != plain_bytes[c]) return false;
    }
  }
  return true;
}
static_assert(word_test_agrees_with_table());

}  // namespace

std::size_t plain_json_prefix(std::string_view value) noexcept {
  const auto word_at = [&value](std::size_t at) {
    std::uint64_t word = 0;
    std::memcpy(&word, value.data() + at, sizeof word);
    return word;
  };
  std::size_t i = 0;
  for (; i + 8 <= value.size(); i += 8) {
    if (!word_is_plain(word_at(i))) break;
  }
  // The last bytes of a value of eight or more, in one word that overlaps what passed already.
  if (i < value.size() && i >= 8 && i + 8 > value.size() && word_is_plain(word_at(value.size() - 8))) {
    return value.size();
  }
  while (i < value.size() && plain_bytes[static_cast<unsigned char>(value[i])]) ++i;
  return i;
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
