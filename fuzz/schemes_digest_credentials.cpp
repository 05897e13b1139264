// libFuzzer: Digest credentials (RFC 7616 §3.4) from an Authorization value, through the grammar layer.
// Never crashes or leaks; a parsed result keeps every promise of DigestCredentials: nc is its 8-hex text
// and never 0, the response (and a userhash) is lower-case hex of the algorithm's size, the user name is
// non-empty UTF-8 without control characters; and the hashes over it have the algorithm's size.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/schemes/digest_algorithm.hpp"
#include "schemes/digest/digest_credentials.hpp"

namespace {

using namespace authgate::schemes::digest;

void check(bool condition) {
  if (!condition) std::abort();
}

bool is_lower_hex(std::string_view text, std::size_t size) {
  if (text.size() != size) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::uint32_t hex_number(std::string_view text) {
  std::uint32_t value = 0;
  for (const char c : text) {
    const int digit = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    check(digit >= 0 && digit < 16);
    value = value * 16 + static_cast<std::uint32_t>(digit);
  }
  return value;
}

/// RFC 3629 §4's ABNF byte ranges, written independently of the parser's decoder; and no C0, DEL or C1.
bool is_clean_utf8(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  const auto tail = [&](const unsigned char* q, unsigned char lo = 0x80, unsigned char hi = 0xbf) {
    return q < end && *q >= lo && *q <= hi;
  };
  while (p < end) {
    const unsigned char b = *p;
    if (b < 0x20 || b == 0x7f) return false;
    if (b < 0x80) {
      p += 1;
    } else if (b == 0xc2) {  // U+0080..U+00BF: U+0080..U+009F are C1 controls
      if (!tail(p + 1, 0xa0)) return false;
      p += 2;
    } else if (b > 0xc2 && b <= 0xdf) {
      if (!tail(p + 1)) return false;
      p += 2;
    } else if (b >= 0xe0 && b <= 0xef) {
      const unsigned char lo = b == 0xe0 ? 0xa0 : 0x80;
      const unsigned char hi = b == 0xed ? 0x9f : 0xbf;
      if (!tail(p + 1, lo, hi) || !tail(p + 2)) return false;
      p += 3;
    } else if (b >= 0xf0 && b <= 0xf4) {
      const unsigned char lo = b == 0xf0 ? 0x90 : 0x80;
      const unsigned char hi = b == 0xf4 ? 0x8f : 0xbf;
      if (!tail(p + 1, lo, hi) || !tail(p + 2) || !tail(p + 3)) return false;
      p += 4;
    } else {
      return false;
    }
  }
  return true;
}

void check_parsed(const DigestCredentials& c) {
  const std::size_t size = hex_size(c.algorithm);
  check(c.nc_text.size() == 8 && c.nc == hex_number(c.nc_text) && c.nc != 0);
  check(is_lower_hex(c.response, size));
  check(!c.username.empty() && is_clean_utf8(c.username));
  check(!c.userhash || is_lower_hex(c.username, size));
  check(!c.nonce.empty() && !c.uri.empty() && !c.cnonce.empty());
  // The arithmetic over what was parsed: every digest has the algorithm's size and matches itself only.
  std::string secret = ha1(c.algorithm, c.username, c.realm, "fuzz-password");
  if (is_session(c.algorithm)) secret = session_ha1(c.algorithm, secret, c.nonce, c.cnonce);
  const std::string a2 = c.qop == Qop::auth_int
                             ? ha2_int(c.algorithm, "GET", c.uri, hash_hex(c.algorithm, c.uri))
                             : ha2(c.algorithm, "GET", c.uri);
  const std::string expected = response(c.algorithm, secret, c.nonce, c.nc_text, c.cnonce, c.qop, a2);
  check(is_lower_hex(expected, size) && same_digest(expected, expected));
  check(is_lower_hex(userhash(c.algorithm, c.username, c.realm), size));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // Limits wide enough that the parser's own bounds (4 KiB a value, 16 KiB in all, 64 params) are reached.
  const authgate::grammar::Limits limits{.max_field_bytes = 70000, .max_challenges = 1, .max_params = 100};
  const auto credentials = authgate::grammar::parse_credentials(input, limits);
  if (!credentials) return 0;
  const auto parsed = parse_digest_credentials(*credentials);
  if (parsed.has_value()) {
    check(authgate::grammar::iequals(credentials->scheme, "Digest") && !credentials->token68);
    check_parsed(*parsed);
  }
  return 0;
}
