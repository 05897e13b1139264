#pragma once
// Key sets: an immutable snapshot of verification keys with a generation number (RFC 7517 §5 JWK Set,
// or keys from PEM files / HMAC secret files), and the slot that holds the one currently in force so a
// JWKS refresher can replace it while requests verify against the old one.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/jose/jwk.hpp"

namespace authgate::jose {

/// An immutable set of keys. Thread-safe. Every KeySet gets a process-unique, increasing generation so
/// a verification cache can tell tokens verified against older keys apart.
class KeySet {
 public:
  /// Takes the keys as they are (kids are expected unique: parse_jwks guarantees it).
  explicit KeySet(std::vector<std::shared_ptr<const Key>> keys);

  std::uint64_t generation() const noexcept { return generation_; }
  std::span<const std::shared_ptr<const Key>> keys() const noexcept { return keys_; }
  bool empty() const noexcept { return keys_.empty(); }
  /// The key whose kid is exactly `kid` (byte comparison; a kid is only ever a lookup string, never a
  /// path or a query), or nullptr.
  const Key* find(std::string_view kid) const noexcept;

 private:
  std::vector<std::shared_ptr<const Key>> keys_;
  std::uint64_t generation_;
};

/// A key of a JWKS that was left out, and why (for the load log).
struct SkippedKey {
  std::size_t index = 0;  // position in "keys"
  std::string kid;        // empty when the key had none
  KeyError error;
};

struct JwksLoad {
  std::shared_ptr<const KeySet> keys;  // never null; may be empty when every key was skipped
  std::vector<SkippedKey> skipped;
};
using JwksResult = boost::system::result<JwksLoad, KeyError>;

/// Limits for parse_jwks.
struct JwksLimits {
  std::size_t max_bytes = std::size_t{1024} * 1024;
  std::size_t max_keys = 256;
};

/// Parses a JWK Set {"keys": [...]} (or, for convenience, a single JWK object). Unusable keys are
/// skipped with a reason; keys sharing a kid are all skipped (ambiguous). Whole-set errors: not JSON,
/// no "keys" array, too many keys, or HMAC secrets mixed with public keys.
JwksResult parse_jwks(std::string_view json, const JwksLimits& limits = {});

/// Reads and parses a JWKS file.
JwksResult load_jwks_file(const std::string& path, const JwksLimits& limits = {});

/// Reads a PEM public-key file (see key_from_pem).
KeyResult load_pem_file(const std::string& path, std::string kid = {}, std::optional<Alg> alg = {});

/// Reads an HMAC secret file: its raw bytes, minus one trailing "\n" or "\r\n" (what editors and
/// `echo` add). At most 4 KiB. The read buffer is wiped.
KeyResult load_secret_file(const std::string& path, std::string kid = {}, std::optional<Alg> alg = {});

/// The key set in force for one issuer: a slot holding one immutable snapshot. current() and replace()
/// are atomic: a verification takes one snapshot and finishes on it while a refresher installs the next.
class LiveKeySet {
 public:
  explicit LiveKeySet(std::shared_ptr<const KeySet> initial = nullptr) : current_(std::move(initial)) {}
  /// The current snapshot; nullptr while none has been loaded yet (remote JWKS not fetched).
  std::shared_ptr<const KeySet> current() const noexcept { return current_.load(std::memory_order_acquire); }
  void replace(std::shared_ptr<const KeySet> next) noexcept {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const KeySet>> current_;
};

}  // namespace authgate::jose
