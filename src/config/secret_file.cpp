// Reading a secret file (see secret_file.hpp).
#include "config/secret_file.hpp"

#include <openssl/crypto.h>

#include <fstream>

namespace authgate::config::detail {

std::string read_secret_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string secret;
  if (!in) return secret;
  secret.resize(max_secret_bytes + 1);
  in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
  std::size_t size = static_cast<std::size_t>(in.gcount());
  if (size > max_secret_bytes) size = 0;  // validate() bounds it; refuse rather than truncate
  if (size > 0 && secret[size - 1] == '\n') --size;
  if (size > 0 && secret[size - 1] == '\r') --size;
  OPENSSL_cleanse(secret.data() + size, secret.size() - size);
  secret.resize(size);
  return secret;
}

}  // namespace authgate::config::detail
