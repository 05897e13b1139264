#pragma once
// Verifying and creating password hashes in every format Apache's htpasswd writes, plus yescrypt,
// md5-crypt and argon2id. Verification is constant-time in the compared bytes (same_bytes.hpp, or
// libargon2's own constant-time compare), thread-safe, and never throws.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::stores {

enum class HashKind : std::uint8_t {
  bcrypt,        // $2y$ $2b$ $2a$  (libcrypt)
  apr1_md5,      // $apr1$          (apr-util)
  md5_crypt,     // $1$             (libcrypt; the same algorithm as apr1 with another magic)
  sha1,          // {SHA}base64     (apr-util)
  sha256_crypt,  // $5$             (libcrypt)
  sha512_crypt,  // $6$             (libcrypt)
  yescrypt,      // $y$             (libcrypt)
  argon2id,      // $argon2id$      (libargon2)
  des_crypt,     // 13 chars        refused unless a realm opts in
  plaintext,     // anything else   refused unless a realm opts in
  unknown,       // malformed, or a '$' format we do not support ($2x$, $7$, $argon2i$, …)
};

/// snake_case name of the kind, e.g. "sha512_crypt".
std::string_view to_string(HashKind kind) noexcept;

/// Which format `hash` is in, from its prefix and shape (see check_hash() for the full validation).
HashKind classify_hash(std::string_view hash) noexcept;

/// True for the formats that cost milliseconds (bcrypt, sha-crypt, yescrypt, argon2id, apr1/md5-crypt):
/// these run on the worker pool, never on an I/O thread.
bool is_expensive(HashKind kind) noexcept;

/// True for the formats refused unless a realm opts in: plaintext and DES-crypt (8-byte passwords,
/// 12-bit salt — brute-forced in hours). {SHA} is unsalted too but is what Apache's htpasswd -s writes.
bool is_weak(HashKind kind) noexcept;

/// Limits on the cost parameters a stored hash may ask for. One hostile or mistaken line (bcrypt cost
/// 31, sha-crypt rounds=999999999, argon2 m=4 TiB) would otherwise stall every worker for minutes.
struct CostLimits {
  int max_bcrypt_cost = 17;  // htpasswd -C accepts 4..17
  std::uint32_t max_sha_crypt_rounds = 1'000'000;
  std::uint64_t max_memory_bytes = 1ull << 30;  // yescrypt (128·r·N) and argon2id (m KiB)
  std::uint32_t max_argon2_time = 32;
  std::uint32_t max_argon2_lanes = 16;
};

/// Validates `hash` completely for its kind: alphabet, lengths, and cost parameters within `limits`.
/// Returns an empty string when the hash is acceptable, else one sentence saying why not
/// (e.g. "bcrypt cost 31 is above the limit 17"). Plaintext is always "acceptable" here.
std::string check_hash(std::string_view hash, const CostLimits& limits = {});

/// The part of a hash that names its algorithm and cost, without salt and digest: "$2y$12$",
/// "$6$rounds=5000$", "$y$j9T$", "$argon2id$v=19$m=65536,t=3,p=1$", "$apr1$", "{SHA}"; empty for DES
/// and plaintext. Two hashes with the same kind and prefix cost the same to verify.
std::string_view cost_prefix(std::string_view hash) noexcept;

enum class VerifyResult : std::uint8_t { match, mismatch, unsupported, malformed };

/// Passwords longer than this never match and are not hashed: sha-crypt's cost grows with the length.
inline constexpr std::size_t max_password_bytes = 1024;

/// Checks `password` against `hash`. `allow_weak` admits plaintext and DES-crypt; otherwise they are
/// `unsupported` without any computation. A hash failing check_hash() is `malformed`. A password with a
/// NUL byte never matches (crypt(3) would silently truncate it). Thread-safe.
VerifyResult verify_password(std::string_view password, std::string_view hash, bool allow_weak = false);

/// How many hash computations verify_password() has run for `kind` in this process (all threads).
/// Tests assert on it ("an unknown user costs one bcrypt, like a wrong password"); metrics export it.
std::uint64_t hash_computations(HashKind kind) noexcept;

/// argon2id parameters for new hashes (RFC 9106 §4 second recommended option: t=3, 64 MiB, p=4 is
/// for dedicated hardware; p=1 keeps one request on one worker thread).
struct Argon2Params {
  std::uint32_t time_cost = 3;
  std::uint32_t memory_kib = 64 * 1024;
  std::uint32_t lanes = 1;
  std::size_t salt_bytes = 16;
  std::size_t hash_bytes = 32;
};

/// A new "$2y$<cost>$…" bcrypt hash, like Apache's htpasswd -B. Fails (errc::invalid_argument) for
/// a cost outside 4..17 or a password longer than 72 bytes (bcrypt ignores the rest), or a NUL byte.
boost::system::result<std::string> hash_bcrypt(std::string_view password, int cost = 12);

/// A new encoded "$argon2id$v=19$m=…,t=…,p=…$salt$hash".
boost::system::result<std::string> hash_argon2id(std::string_view password, const Argon2Params& params = {});

/// A new "$6$[rounds=N$]…" sha512-crypt hash, like htpasswd -5 (rounds 1000..max_sha_crypt_rounds).
boost::system::result<std::string> hash_sha512_crypt(std::string_view password, std::uint32_t rounds = 5000);

/// A hash of `password` with the same algorithm and cost as `model` (a hash that passed check_hash),
/// e.g. to build a store's dummy hash. crypt(3) formats reuse the model's salt, argon2id draws a fresh
/// one of the same length; for plaintext the result is the password itself.
boost::system::result<std::string> hash_like(std::string_view password, std::string_view model);

}  // namespace authgate::stores
