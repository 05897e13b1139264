// Strict base64 (RFC 4648 §4) and base64url (RFC 4648 §5). Decoding accepts exactly one spelling of each
// byte string: canonical padding for base64, none for base64url, and zero pad bits for both (RFC 4648
// §3.5), so two different texts never decode to the same credentials.
#include "authgate/grammar/base64.hpp"

#include <array>
#include <cstdint>
#include <optional>

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
  const std::size_t full = bytes.size() / 3;
  const std::size_t rest = bytes.size() % 3;
  std::string out(full * 4 + (rest == 0 ? 0 : pad ? 4 : rest + 1), '=');
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  char* o = out.data();
  for (std::size_t q = 0; q < full; ++q, in += 3, o += 4) {
    const std::uint32_t v = std::uint32_t{in[0]} << 16 | std::uint32_t{in[1]} << 8 | in[2];
    o[0] = alphabet[v >> 18 & 63];
    o[1] = alphabet[v >> 12 & 63];
    o[2] = alphabet[v >> 6 & 63];
    o[3] = alphabet[v & 63];
  }
  if (rest == 0) return out;
  const std::uint32_t v = std::uint32_t{in[0]} << 16 | (rest == 2 ? std::uint32_t{in[1]} << 8 : 0);
  o[0] = alphabet[v >> 18 & 63];
  o[1] = alphabet[v >> 12 & 63];
  if (rest == 2) o[2] = alphabet[v >> 6 & 63];
  return out;
}

ParseError error(ParseErrc code, std::size_t offset) { return ParseError{code, offset}; }

using DecodeTable = std::array<std::uint8_t, 256>;

// The error for the first byte at or after `from` that is not in the alphabet.
ParseError first_invalid(std::string_view body, std::size_t from, const DecodeTable& table) {
  while (from < body.size() && table[static_cast<unsigned char>(body[from])] != invalid) ++from;
  const bool pad = from < body.size() && body[from] == '=';
  return error(pad ? ParseErrc::bad_padding : ParseErrc::bad_base64, from);
}

// The 2 or 3 characters of a partial last quantum: 1 or 2 bytes, whose unused low bits must be zero
// (RFC 4648 §3.5) so that no two texts decode to the same bytes.
std::optional<ParseError> decode_tail(std::string_view tail, std::size_t offset, const DecodeTable& table,
                                      char* out) {
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < tail.size(); ++i) {
    const std::uint8_t v = table[static_cast<unsigned char>(tail[i])];
    if (v == invalid)
      return error(tail[i] == '=' ? ParseErrc::bad_padding : ParseErrc::bad_base64, offset + i);
    acc = acc << 6 | v;
  }
  const std::size_t last = offset + tail.size() - 1;
  if (tail.size() == 2) {
    if ((acc & 0x0F) != 0) return error(ParseErrc::bad_padding, last);
    out[0] = static_cast<char>(acc >> 4);
  } else if (tail.size() == 3) {
    if ((acc & 0x03) != 0) return error(ParseErrc::bad_padding, last);
    out[0] = static_cast<char>(acc >> 10);
    out[1] = static_cast<char>(acc >> 2 & 0xFF);
  }
  return std::nullopt;
}

// Decodes `body` (no padding). Reports alphabet errors at their offset and non-zero pad bits at the last
// character. A length of 4n+1 is left to the caller, which knows whether padding was expected.
ParseResult<std::string> decode_body(std::string_view body, const DecodeTable& table) {
  const std::size_t full = body.size() / 4;
  const std::size_t rest = body.size() % 4;
  std::string out(full * 3 + (rest >= 2 ? rest - 1 : 0), '\0');
  const auto* in = reinterpret_cast<const unsigned char*>(body.data());
  char* o = out.data();
  for (std::size_t q = 0; q < full; ++q, in += 4, o += 3) {
    const std::uint32_t a = table[in[0]], b = table[in[1]], c = table[in[2]], d = table[in[3]];
    if (((a | b | c | d) & 0xC0) != 0) return first_invalid(body, q * 4, table);
    const std::uint32_t v = a << 18 | b << 12 | c << 6 | d;
    o[0] = static_cast<char>(v >> 16);
    o[1] = static_cast<char>(v >> 8 & 0xFF);
    o[2] = static_cast<char>(v & 0xFF);
  }
  if (rest == 1) {
    if (table[*in] == invalid) return first_invalid(body, full * 4, table);
    return out;
  }
  if (auto e = decode_tail(body.substr(full * 4), full * 4, table, o)) return *e;
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
