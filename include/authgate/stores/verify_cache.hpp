#pragma once
// The verified-credential cache: a successful slow verification (bcrypt, argon2id, …) is remembered so
// the next request with the same credentials costs a lookup, not a hash.
//
// Keys are SipHash-2-4 with a 128-bit output (a keyed PRF) of len(space) ‖ space ‖ credentials under a
// per-process random secret: the cache never
// holds a password or a token, and keys from another process (another secret) are useless. Values are the
// verified Identity, an expiry and the generation of the data it was verified against; an entry of another
// generation or past its expiry is a miss (and is dropped). Bounded by LRU eviction in independent shards,
// one mutex each, so threads rarely contend.

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <span>
#include <string_view>

#include "authgate/identity.hpp"

namespace authgate::stores {

class VerifyCache {
 public:
  using Key = std::array<std::uint8_t, 16>;
  static constexpr std::size_t secret_bytes = 16;  // SipHash's 128-bit key
  using TimePoint = std::chrono::system_clock::time_point;

  /// Hash for maps keyed by Key: a Key is already a keyed PRF's output, uniformly distributed, so its first
  /// bytes are a fine hash, and an attacker who does not know the secret cannot aim collisions at one bucket.
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept {
      std::size_t h;
      std::memcpy(&h, key.data(), sizeof h);
      return h;
    }
  };

  struct Options {
    std::size_t max_entries = 10000;  // across all shards; 0 disables caching
    std::size_t shards = 16;          // fewer when max_entries is smaller
  };

  /// Counters for metrics, summed over the shards.
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;  // includes stale (expired / other generation) entries
    std::uint64_t stale = 0;   // misses that found and dropped an expired or outdated entry
    std::uint64_t insertions = 0;
    std::uint64_t evictions = 0;  // entries dropped to stay within max_entries
    std::size_t size = 0;
  };

  /// Draws a fresh random 16-byte secret. Throws std::runtime_error if OpenSSL cannot (start-up only).
  explicit VerifyCache(Options options);
  VerifyCache() : VerifyCache(Options{}) {}
  /// With a given secret (tests and benchmarks).
  VerifyCache(Options options, std::span<const std::uint8_t, secret_bytes> secret);
  ~VerifyCache();
  VerifyCache(const VerifyCache&) = delete;
  VerifyCache& operator=(const VerifyCache&) = delete;

  /// The key for `credentials` (the raw Authorization credentials) in protection space `space`. `space`
  /// must name the realm as well as the scheme (e.g. "Basic realm=admin"), so that a verification in one
  /// realm is never a hit in another realm that happens to share a generation number. Thread-safe.
  Key key_for(std::string_view space, std::string_view credentials) const noexcept;
  /// The same key with `space` given in consecutive pieces ({"Basic", " realm=", "admin"} is
  /// "Basic realm=admin"), so a caller on the request path need not join them into a new string.
  Key key_for(std::initializer_list<std::string_view> space, std::string_view credentials) const noexcept;

  /// The identity cached under `key` for `generation`, or nullptr (a miss). Drops the entry when it
  /// expired (now >= expiry) or belongs to another generation. On a hit, `expires` (when given) is set to
  /// the entry's expiry. Thread-safe.
  std::shared_ptr<const Identity> find(const Key& key, std::uint64_t generation, TimePoint now,
                                       TimePoint* expires = nullptr);

  /// Caches `identity` until `expires`, replacing an entry with the same key; evicts the least recently
  /// used entry of the shard when it is full. Thread-safe.
  void insert(const Key& key, std::shared_ptr<const Identity> identity, std::uint64_t generation,
              TimePoint expires);

  /// Drops every entry (e.g. on reload when a store disappears). Counters are kept.
  void clear();
  /// Entries currently held (never above max_entries).
  std::size_t size() const;
  Stats stats() const;

 private:
  struct Shard;
  void init(Options options, std::span<const std::uint8_t, secret_bytes> secret);
  Shard& shard_for(const Key& key) const noexcept;

  std::array<std::uint8_t, secret_bytes> secret_{};  // SipHash's key; wiped by the destructor
  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_ = 0;
};

}  // namespace authgate::stores
