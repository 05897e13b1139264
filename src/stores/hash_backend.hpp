#pragma once
// Internal: thin, thread-safe wrappers over libcrypt, apr-util and OpenSSL used to verify and create
// hashes. Every buffer that held a password or hash state is wiped before it is freed.

#include <optional>
#include <string>
#include <string_view>

namespace authgate::stores::detail {

/// A NUL-terminated copy of a secret for C APIs, wiped (OPENSSL_cleanse) on destruction.
class SecretCString {
 public:
  explicit SecretCString(std::string_view secret) : buffer_(secret) {}
  ~SecretCString();
  SecretCString(const SecretCString&) = delete;
  SecretCString& operator=(const SecretCString&) = delete;
  const char* c_str() const noexcept { return buffer_.c_str(); }

 private:
  std::string buffer_;
};

/// crypt_rn(password, setting) with a private `struct crypt_data` (so it is thread-safe); nullopt when
/// libcrypt refuses the setting.
std::optional<std::string> run_crypt(std::string_view password, std::string_view setting);

/// Apache's "$apr1$" MD5 (apr_md5_encode) with the salt taken from `setting`.
std::optional<std::string> run_apr1(std::string_view password, std::string_view setting);

/// Apache's "{SHA}" + base64(SHA-1(password)) (apr_sha1_base64).
std::string run_apr_sha1(std::string_view password);

}  // namespace authgate::stores::detail
