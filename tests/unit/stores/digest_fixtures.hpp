#pragma once
// HA1 values computed independently of the code under test (OpenSSL EVP, as RFC 7616 §3.4.2 defines
// them), and HA1-shaped constants for the digest-store tests.

#include <openssl/evp.h>

#include <string>
#include <string_view>

#include "authgate/stores/digest_store.hpp"

namespace authgate::stores::test {

/// H(user ":" realm ":" password) as lower-case hex; SHA-512-256 is FIPS 180-4 SHA-512/256.
inline std::string ha1_of(DigestHash hash, std::string_view user, std::string_view realm,
                          std::string_view password) {
  const EVP_MD* md = hash == DigestHash::md5      ? EVP_md5()
                     : hash == DigestHash::sha256 ? EVP_sha256()
                                                  : EVP_sha512_256();
  const std::string input = std::string(user) + ":" + std::string(realm) + ":" + std::string(password);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(input.data(), input.size(), out, &size, md, nullptr) != 1) return {};
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < size; ++i) {
    hex += digits[out[i] >> 4];
    hex += digits[out[i] & 15];
  }
  return hex;
}

/// `printf 'user:realm:pass' | md5sum`, which Apache's htdigest also writes for that password.
inline const std::string md5sum_user_realm_pass = "8493fbc53ba582fb4c044c456bdc40eb";

/// Distinct HA1-shaped values (not hashes of anything): 32 and 64 hex digits.
inline const std::string hex32 = "0123456789abcdef0123456789abcdef";
inline const std::string hex64a = std::string(32, 'a') + std::string(32, '1');
inline const std::string hex64b = std::string(32, 'b') + std::string(32, '2');

}  // namespace authgate::stores::test
