// Reading a secret file (see secret_file.hpp).
#include "config/secret_file.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "config/syntax.hpp"

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

std::optional<std::string> secret_file_problem(const std::string& path, std::size_t min_bytes) {
  if (auto problem = unreadable_file_problem(path)) return problem;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > max_secret_bytes) return "the file holds more than 4 KiB";
  std::string secret = read_secret_file(path);
  const std::size_t length = secret.size();
  OPENSSL_cleanse(secret.data(), secret.size());
  if (length == 0) return std::string("the file is empty");
  if (length < min_bytes) return "the secret must be at least " + std::to_string(min_bytes) + " bytes";
  return std::nullopt;
}

bool has_control_character(std::string_view text) noexcept {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

bool holds_control_character(const std::string& path) {
  std::string secret = read_secret_file(path);
  const bool found = has_control_character(secret);
  OPENSSL_cleanse(secret.data(), secret.size());
  return found;
}

}  // namespace authgate::config::detail
