// Key material from files: JWKS, PEM public keys, HMAC secrets.
#include <openssl/crypto.h>

#include <fstream>
#include <iterator>
#include <string>

#include "authgate/jose/jwks.hpp"

namespace authgate::jose {
namespace {

// Reads at most `limit` bytes; nullopt when the file cannot be read or is larger.
std::optional<std::string> read_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    data.append(buffer, static_cast<std::size_t>(in.gcount()));
    if (data.size() > limit) {
      OPENSSL_cleanse(data.data(), data.size());
      OPENSSL_cleanse(buffer, sizeof buffer);
      return std::nullopt;
    }
  }
  OPENSSL_cleanse(buffer, sizeof buffer);
  if (in.bad()) return std::nullopt;
  return data;
}

KeyError unreadable(const std::string& path) {
  return {KeyErrc::io, "cannot read '" + path + "' (or too large)"};
}

}  // namespace

JwksResult load_jwks_file(const std::string& path, const JwksLimits& limits) {
  auto text = read_file(path, limits.max_bytes);
  if (!text) return unreadable(path);
  return parse_jwks(*text, limits);
}

KeyResult load_pem_file(const std::string& path, std::string kid, std::optional<Alg> alg) {
  auto text = read_file(path, 64 * 1024);
  if (!text) return unreadable(path);
  return key_from_pem(*text, std::move(kid), alg);
}

KeyResult load_secret_file(const std::string& path, std::string kid, std::optional<Alg> alg) {
  auto secret = read_file(path, 4096);
  if (!secret) return unreadable(path);
  std::string_view bytes(*secret);
  if (bytes.ends_with('\n')) bytes.remove_suffix(1);
  if (bytes.ends_with('\r')) bytes.remove_suffix(1);
  KeyResult key = key_from_secret(bytes, std::move(kid), alg);
  OPENSSL_cleanse(secret->data(), secret->size());
  return key;
}

}  // namespace authgate::jose
