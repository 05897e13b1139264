// libcrypt and apr-util behind small thread-safe functions.
#include "stores/hash_backend.hpp"

#include <apr_general.h>
#include <apr_md5.h>
#include <apr_sha1.h>
#include <crypt.h>
#include <openssl/crypto.h>

#include <memory>

namespace authgate::stores::detail {
namespace {

/// apr_initialize() once per process, on first use, from whichever thread gets there first (C++ static
/// initialisation is thread-safe). apr_md5_encode and apr_sha1_base64 keep no global state and are
/// thread-safe; we never call apr_password_validate, which falls back to the non-reentrant crypt(3) and
/// compares with strcmp.
void ensure_apr() {
  static const bool initialised = [] { return apr_initialize() == APR_SUCCESS; }();
  (void)initialised;
}

/// Wipes a crypt_data (30 KiB of hash state derived from the password) before freeing it.
struct CryptDataWiper {
  void operator()(crypt_data* data) const noexcept {
    OPENSSL_cleanse(data, sizeof *data);
    delete data;
  }
};

}  // namespace

SecretCString::~SecretCString() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }

std::optional<std::string> run_crypt(std::string_view password, std::string_view setting) {
  const SecretCString phrase(password);
  const std::string setting_copy(setting);
  // Value-initialised: libcrypt requires the `initialized` field zeroed before first use.
  std::unique_ptr<crypt_data, CryptDataWiper> data(new crypt_data());
  const char* out = crypt_rn(phrase.c_str(), setting_copy.c_str(), data.get(), sizeof *data);
  if (out == nullptr || out[0] == '*') return std::nullopt;
  return std::string(out);
}

std::optional<std::string> run_apr1(std::string_view password, std::string_view setting) {
  ensure_apr();
  const SecretCString phrase(password);
  const std::string setting_copy(setting);
  char out[128] = {};
  if (apr_md5_encode(phrase.c_str(), setting_copy.c_str(), out, sizeof out) != APR_SUCCESS)
    return std::nullopt;
  std::string result(out);
  OPENSSL_cleanse(out, sizeof out);
  return result;
}

std::string run_apr_sha1(std::string_view password) {
  ensure_apr();
  char out[APR_SHA1PW_IDLEN + 32] = {};
  apr_sha1_base64(password.data(), static_cast<int>(password.size()), out);
  std::string result(out);
  OPENSSL_cleanse(out, sizeof out);
  return result;
}

}  // namespace authgate::stores::detail
