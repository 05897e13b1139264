// Decoding Basic credentials: RFC 7617 §2 token68 → user-id ":" password.
#include <openssl/crypto.h>

#include <algorithm>

#include "authgate/grammar/base64.hpp"
#include "authgate/schemes/basic.hpp"

namespace authgate::schemes {
namespace {

/// Overwrites the whole buffer of `s`, including bytes beyond size() (a shorter or moved-from string
/// keeps old bytes in its capacity), then empties it.
void wipe(std::string& s) noexcept {
  s.resize(s.capacity());
  OPENSSL_cleanse(s.data(), s.size());
  s.clear();
}

/// RFC 5234 Appendix B CTL: %x00-1F / %x7F. Bytes of 0x80 and above (UTF-8) pass as they are.
bool is_ctl(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

}  // namespace

BasicUserPass::~BasicUserPass() { wipe(decoded_); }

Reason decode_basic_credentials(const grammar::Credentials& credentials, BasicUserPass& out) {
  wipe(out.decoded_);
  out.colon_ = std::string::npos;
  // RFC 7617 §2: credentials = "Basic" SP token68; auth-params have no meaning here.
  if (!credentials.token68 || !credentials.params.empty()) return Reason::malformed_header;
  auto decoded = grammar::decode_base64(*credentials.token68);
  if (!decoded) return Reason::bad_base64;
  out.decoded_.swap(*decoded);
  wipe(*decoded);  // a short string's bytes may linger in its small-string buffer after the swap
  // RFC 7617 §2: the user-id ends at the first colon; the password may contain colons.
  const auto colon = out.decoded_.find(':');
  if (colon == std::string::npos) return Reason::missing_colon;
  // RFC 7617 §2: "The user-id and password MUST NOT contain any control characters."
  if (std::any_of(out.decoded_.begin(), out.decoded_.end(), is_ctl)) return Reason::bad_user_id;
  out.colon_ = colon;
  return Reason::ok;
}

}  // namespace authgate::schemes
