// Strict base64 (RFC 4648 §4) and base64url (RFC 4648 §5). Decoding accepts exactly one spelling of each
// byte string: canonical padding for base64, none for base64url, and zero pad bits for both (RFC 4648
// §3.5), so two different texts never decode to the same credentials.
#include "authgate/grammar/base64.hpp"

#include <array>
#include <cstdint>

namespace authgate::grammar {
namespace {

constexpr std::string_view std_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::uint8_t invalid = 0xFF;

constexpr std::array<std::uint8_t, 256> make_decode_table(std::string_view alphabet) {
  std::array<std::uint8_t, 256> t{};
  t.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    t[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return t;
}

constexpr auto std_table = make_decode_table(std_alphabet);
constexpr auto url_table = make_decode_table(url_alphabet);

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto byte = [&](std::size_t k) {
    return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
  };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
    out += alphabet[v >> 18 & 63];
    out += alphabet[v >> 12 & 63];
    out += alphabet[v >> 6 & 63];
    out += alphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 0) return out;
  const std::uint32_t v = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0);
  out += alphabet[v >> 18 & 63];
  out += alphabet[v >> 12 & 63];
  if (rest == 2) out += alphabet[v >> 6 & 63];
  if (pad) out.append(3 - rest, '=');
  return out;
}

ParseError error(ParseErrc code, std::size_t offset) { return ParseError{code, offset}; }

// Decodes `body` (no padding) whose length mod 4 is 0, 2 or 3. Reports alphabet errors at their offset
// and, for a partial last quantum, non-zero pad bits at the last character (RFC 4648 §3.5).
ParseResult<std::string> decode_body(std::string_view body, const std::array<std::uint8_t, 256>& table) {
  std::string out;
  out.reserve(body.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < body.size(); ++i) {
    const std::uint8_t v = table[static_cast<unsigned char>(body[i])];
    if (v == invalid) {
      return error(body[i] == '=' ? ParseErrc::bad_padding : ParseErrc::bad_base64, i);
    }
    acc = acc << 6 | v;
    if (i % 4 == 3) {
      out += static_cast<char>(acc >> 16 & 0xFF);
      out += static_cast<char>(acc >> 8 & 0xFF);
      out += static_cast<char>(acc & 0xFF);
      acc = 0;
    }
  }
  switch (body.size() % 4) {
    case 2:
      if ((acc & 0x0F) != 0) return error(ParseErrc::bad_padding, body.size() - 1);
      out += static_cast<char>(acc >> 4 & 0xFF);
      break;
    case 3:
      if ((acc & 0x03) != 0) return error(ParseErrc::bad_padding, body.size() - 1);
      out += static_cast<char>(acc >> 10 & 0xFF);
      out += static_cast<char>(acc >> 2 & 0xFF);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

std::string encode_base64(std::string_view bytes) { return encode(bytes, std_alphabet, true); }

std::string encode_base64url(std::string_view bytes) { return encode(bytes, url_alphabet, false); }

ParseResult<std::string> decode_base64(std::string_view text) {
  // RFC 4648 §4 with §3.2 "padding required": the text is whole 4-character quanta, the last of which
  // may end in "=" or "==". Whitespace and line breaks are alphabet errors (§3.3 lets us reject them).
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  const std::string_view body = text.substr(0, text.size() - pad);
  auto decoded = decode_body(body, std_table);
  if (!decoded) return decoded;
  if (text.size() % 4 != 0) return error(ParseErrc::bad_padding, text.size());
  return decoded;
}

ParseResult<std::string> decode_base64url(std::string_view text) {
  // RFC 4648 §5 as used by JOSE (RFC 7515 §2): no padding at all; a length of 4n+1 cannot be produced by
  // any byte string.
  auto decoded = decode_body(text, url_table);
  if (!decoded) return decoded;
  if (text.size() % 4 == 1) return error(ParseErrc::bad_padding, text.size());
  return decoded;
}

}  // namespace authgate::grammar
