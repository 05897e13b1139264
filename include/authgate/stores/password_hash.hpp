#pragma once
// Verifying and creating password hashes in every format Apache's htpasswd writes, plus yescrypt and
// argon2id. Verification is constant-time in the compared bytes (CRYPTO_memcmp) and never throws.

#include <cstdint>
#include <string>
#include <string_view>

namespace authgate::stores {

enum class HashKind : std::uint8_t {
  bcrypt,        // $2y$ $2b$ $2a$  (libcrypt)
  apr1_md5,      // $apr1$          (apr-util)
  sha1,          // {SHA}base64     (apr-util)
  sha256_crypt,  // $5$             (libcrypt)
  sha512_crypt,  // $6$             (libcrypt)
  yescrypt,      // $y$             (libcrypt)
  argon2id,      // $argon2id$      (libargon2)
  des_crypt,     // 13 chars        refused unless a realm opts in
  plaintext,     // anything else   refused unless a realm opts in
  unknown,       // malformed
};

std::string_view to_string(HashKind kind) noexcept;

/// Which format `hash` is in, from its prefix and shape.
HashKind classify_hash(std::string_view hash) noexcept;

/// True for the formats that cost milliseconds (bcrypt, sha-crypt, yescrypt, argon2id, apr1): these
/// run on the worker pool, never on an I/O thread.
bool is_expensive(HashKind kind) noexcept;

enum class VerifyResult : std::uint8_t { match, mismatch, unsupported, malformed };

/// Checks `password` against `hash`. `allow_weak` admits plaintext and DES-crypt.
VerifyResult verify_password(std::string_view password, std::string_view hash, bool allow_weak = false);

}  // namespace authgate::stores
