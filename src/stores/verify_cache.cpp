// VerifyCache: SipHash-2-4-128 keys, sharded LRU maps.
#include "authgate/stores/verify_cache.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "stores/sip_hash.hpp"

namespace authgate::stores {
namespace {

struct Entry {
  VerifyCache::Key key;
  std::shared_ptr<const Identity> identity;
  std::uint64_t generation;
  VerifyCache::TimePoint expires;
};

}  // namespace

struct VerifyCache::Shard {
  using Index = std::unordered_map<Key, std::list<Entry>::iterator, VerifyCache::KeyHash>;
  std::mutex mutex;
  std::size_t capacity = 0;
  std::list<Entry> lru;  // most recently used first
  Index index;
  Stats stats;

  void erase(Index::iterator it) {
    lru.erase(it->second);
    index.erase(it);
  }
};

VerifyCache::VerifyCache(Options options) {
  std::array<std::uint8_t, secret_bytes> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error("verify cache: cannot draw a random secret");
  }
  init(options, secret);
  OPENSSL_cleanse(secret.data(), secret.size());
}

VerifyCache::VerifyCache(Options options, std::span<const std::uint8_t, secret_bytes> secret) {
  init(options, secret);
}

VerifyCache::~VerifyCache() { OPENSSL_cleanse(secret_.data(), secret_.size()); }

void VerifyCache::init(Options options, std::span<const std::uint8_t, secret_bytes> secret) {
  std::copy(secret.begin(), secret.end(), secret_.begin());
  shard_count_ = std::max<std::size_t>(1, std::min(options.shards, options.max_entries));
  shards_ = std::make_unique<Shard[]>(shard_count_);
  // Spread max_entries exactly: the first `max % count` shards take one more.
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity =
        options.max_entries / shard_count_ + (i < options.max_entries % shard_count_ ? 1 : 0);
  }
}

VerifyCache::Key VerifyCache::key_for(std::string_view space, std::string_view credentials) const noexcept {
  return key_for({space}, credentials);
}

/// A cache key only has to be unforgeable online: keys never leave the process, so to make a request hit
/// another credential's entry an attacker must guess a 128-bit PRF output, one request per guess (with N
/// entries cached, N / 2^128 a guess). Measured in bench/cost, the keyed hashes tried before cost per key:
/// HMAC-SHA256 9,000 Ir and two allocations; BLAKE2b-256 13,400 Ir for a 700-byte token and 4,800 for a
/// Basic credential; SipHash-2-4-128 through OpenSSL's EVP_MAC 4,600 and 1,500; this one (sip_hash.hpp) —
/// see bench/README.md.
VerifyCache::Key VerifyCache::key_for(std::initializer_list<std::string_view> space,
                                      std::string_view credentials) const noexcept {
  // The length prefix makes (space, credentials) → message injective whatever bytes either holds.
  std::uint64_t space_size = 0;
  for (const auto part : space) space_size += part.size();
  // The message is gathered on the stack and hashed in one pass when it fits (a Basic credential does;
  // a JWT goes in pieces): each piece that ends inside a word costs a partial load and a carry.
  // Not zeroed: only the bytes written are hashed (zeroing cost more than the rest of the gathering).
  std::array<char, 256> gathered;
  if constexpr (std::endian::native == std::endian::little) space_size = __builtin_bswap64(space_size);
  std::memcpy(gathered.data(), &space_size, sizeof space_size);  // big-endian, as before
  std::size_t used = sizeof space_size;
  detail::SipHash24 hash(secret_, detail::SipHash24::Output::bits128);
  const auto add = [&](std::string_view piece) {
    if (piece.size() > gathered.size() - used) {
      hash.update({gathered.data(), used});
      used = 0;
      if (piece.size() > gathered.size()) {
        hash.update(piece);
        return;
      }
    }
    if (piece.empty()) return;  // an empty view's data() may be null, which memcpy may not be given
    std::memcpy(gathered.data() + used, piece.data(), piece.size());
    used += piece.size();
  };
  for (const auto part : space) add(part);
  add(credentials);
  hash.update({gathered.data(), used});
  return hash.finish128();
}

VerifyCache::Shard& VerifyCache::shard_for(const Key& key) const noexcept {
  std::uint64_t h;
  std::memcpy(&h, key.data() + 8, sizeof h);  // other bytes than KeyHash uses: shards and buckets independent
  return shards_[h % shard_count_];
}

std::shared_ptr<const Identity> VerifyCache::find(const Key& key, std::uint64_t generation, TimePoint now,
                                                  TimePoint* expires) {
  Shard& shard = shard_for(key);
  const std::lock_guard lock(shard.mutex);
  const auto it = shard.index.find(key);
  if (it == shard.index.end()) {
    ++shard.stats.misses;
    return nullptr;
  }
  const Entry& entry = *it->second;
  if (entry.generation != generation || now >= entry.expires) {
    shard.erase(it);
    ++shard.stats.misses;
    ++shard.stats.stale;
    return nullptr;
  }
  shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
  ++shard.stats.hits;
  if (expires != nullptr) *expires = entry.expires;
  return entry.identity;
}

void VerifyCache::insert(const Key& key, std::shared_ptr<const Identity> identity, std::uint64_t generation,
                         TimePoint expires) {
  Shard& shard = shard_for(key);
  const std::lock_guard lock(shard.mutex);
  if (shard.capacity == 0) return;
  if (const auto it = shard.index.find(key); it != shard.index.end()) {
    *it->second = Entry{key, std::move(identity), generation, expires};
    shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    ++shard.stats.insertions;
    return;
  }
  if (shard.lru.size() >= shard.capacity) {
    shard.erase(shard.index.find(shard.lru.back().key));
    ++shard.stats.evictions;
  }
  shard.lru.push_front(Entry{key, std::move(identity), generation, expires});
  shard.index.emplace(key, shard.lru.begin());
  ++shard.stats.insertions;
}

void VerifyCache::clear() {
  for (std::size_t i = 0; i < shard_count_; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    shards_[i].index.clear();
    shards_[i].lru.clear();
  }
}

std::size_t VerifyCache::size() const { return stats().size; }

VerifyCache::Stats VerifyCache::stats() const {
  Stats total;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    const Stats& s = shards_[i].stats;
    total.hits += s.hits;
    total.misses += s.misses;
    total.stale += s.stale;
    total.insertions += s.insertions;
    total.evictions += s.evictions;
    total.size += shards_[i].lru.size();
  }
  return total;
}

}  // namespace authgate::stores
