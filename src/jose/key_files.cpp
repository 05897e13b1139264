// Key material from files: JWKS, PEM public keys, HMAC secrets.
#include <openssl/crypto.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>

#include "authgate/jose/jwks.hpp"

namespace authgate::jose {
namespace {

// Reads at most `limit` bytes into `out`; false when the file cannot be read or is larger. Whatever was
// read before a failure is wiped: a secret file that is too large is still a secret.
bool read_file(const std::string& path, std::size_t limit, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  char buffer[4096];
  // Reserved up front so a secret never moves to a bigger buffer and leaves an unwiped copy behind.
  out.reserve(std::min<std::size_t>(limit, 65536) + sizeof buffer);
  bool ok = true;
  while (ok && (in.read(buffer, sizeof buffer) || in.gcount() > 0)) {
    out.append(buffer, static_cast<std::size_t>(in.gcount()));
    ok = out.size() <= limit;
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  if (!ok || in.bad()) {
    OPENSSL_cleanse(out.data(), out.size());
    out.clear();
    return false;
  }
  return true;
}

KeyError unreadable(const std::string& path) {
  return {KeyErrc::io, "cannot read '" + path + "' (or too large)"};
}

}  // namespace

JwksResult load_jwks_file(const std::string& path, const JwksLimits& limits) {
  std::string text;
  if (!read_file(path, limits.max_bytes, text)) return unreadable(path);
  return parse_jwks(text, limits);
}

KeyResult load_pem_file(const std::string& path, std::string kid, std::optional<Alg> alg) {
  std::string text;
  if (!read_file(path, std::size_t{64} * 1024, text)) return unreadable(path);
  return key_from_pem(text, std::move(kid), alg);
}

KeyResult load_secret_file(const std::string& path, std::string kid, std::optional<Alg> alg) {
  std::string secret;
  if (!read_file(path, 4096, secret)) return unreadable(path);
  std::size_t length = secret.size();
  if (length > 0 && secret[length - 1] == '\n') {
    --length;
    if (length > 0 && secret[length - 1] == '\r') --length;
  }
  KeyResult key = key_from_secret(std::string_view(secret).substr(0, length), std::move(kid), alg);
  OPENSSL_cleanse(secret.data(), secret.size());
  return key;
}

}  // namespace authgate::jose
