// VerifyCache: keyed BLAKE2b keys, sharded LRU maps.
#include "authgate/stores/verify_cache.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace authgate::stores {
namespace {

struct Entry {
  VerifyCache::Key key;
  std::shared_ptr<const Identity> identity;
  std::uint64_t generation;
  VerifyCache::TimePoint expires;
};

/// Owns an EVP_MAC_CTX.
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

std::atomic<std::uint64_t> next_cache_id{1};

/// This thread's working copy of one cache's keyed MAC context. EVP_MAC_CTX_dup allocates a whole
/// state on every call and cost more than the hashing; a copy kept per thread is re-initialised with the
/// key it already holds (EVP_MAC_init with a null key). One slot:
/// a thread that alternates between caches (tests) just copies again. The copy holds what the shared
/// template holds (the key state of a per-process random secret), nothing more.
struct ThreadMac {
  std::uint64_t owner = 0;  // VerifyCache::MacTemplate::id of the copy, 0 for none
  MacCtx ctx;
};
thread_local ThreadMac thread_mac;

}  // namespace

/// Keyed BLAKE2b-256 rather than HMAC-SHA256: both are 256-bit MACs, but OpenSSL 3's HMAC re-init copies
/// two digest contexts (two allocations per key, 9,000 instructions in bench/cost) where BLAKE2 restarts
/// from the key it holds (none, and a third of the instructions). BLAKE2b rather than BLAKE2s: 64-bit words
/// and 128-byte blocks, fewer instructions per byte on a 64-bit machine (a 700-byte token: 3,900 fewer).
/// A keyed BLAKE2b-256 context holding the secret; each thread copies it once into its ThreadMac
/// (EVP_MAC_CTX_dup reads a const source, which openssl-threads(7) allows from several threads at once).
struct VerifyCache::MacTemplate {
  MacCtx ctx;
  std::uint64_t id = next_cache_id.fetch_add(1, std::memory_order_relaxed);  // names it for ThreadMac
};

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
  std::array<std::uint8_t, 32> secret{};
  if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1) {
    throw std::runtime_error("verify cache: cannot draw a random secret");
  }
  init(options, secret);
  OPENSSL_cleanse(secret.data(), secret.size());
}

VerifyCache::VerifyCache(Options options, std::span<const std::uint8_t, 32> secret) { init(options, secret); }

VerifyCache::~VerifyCache() = default;

void VerifyCache::init(Options options, std::span<const std::uint8_t, 32> secret) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "BLAKE2BMAC", nullptr);
  MacCtx ctx(mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr);
  EVP_MAC_free(mac);  // the context keeps its own reference
  std::size_t key_bytes = std::tuple_size_v<Key>;
  const OSSL_PARAM size[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &key_bytes), OSSL_PARAM_END};
  if (!ctx || EVP_MAC_init(ctx.get(), secret.data(), secret.size(), size) != 1) {
    throw std::runtime_error("verify cache: keyed BLAKE2b-256 unavailable");
  }
  mac_ = std::make_unique<MacTemplate>();
  mac_->ctx = std::move(ctx);
  shard_count_ = std::max<std::size_t>(1, std::min(options.shards, options.max_entries));
  shards_ = std::make_unique<Shard[]>(shard_count_);
  // Spread max_entries exactly: the first `max % count` shards take one more.
  for (std::size_t i = 0; i < shard_count_; ++i) {
    shards_[i].capacity =
        options.max_entries / shard_count_ + (i < options.max_entries % shard_count_ ? 1 : 0);
  }
}

std::optional<VerifyCache::Key> VerifyCache::key_for(std::string_view space,
                                                     std::string_view credentials) const noexcept {
  return key_for({space}, credentials);
}

std::optional<VerifyCache::Key> VerifyCache::key_for(std::initializer_list<std::string_view> space,
                                                     std::string_view credentials) const noexcept {
  auto& local = thread_mac;
  if (local.owner == mac_->id) {
    if (EVP_MAC_init(local.ctx.get(), nullptr, 0, nullptr) != 1) {
      local.owner = 0;
      return std::nullopt;
    }
  } else {
    local.ctx.reset(EVP_MAC_CTX_dup(mac_->ctx.get()));  // the template is initialised and never updated
    if (!local.ctx) {
      local.owner = 0;
      return std::nullopt;
    }
    local.owner = mac_->id;
  }
  EVP_MAC_CTX* ctx = local.ctx.get();
  // The length prefix makes (space, credentials) → message injective whatever bytes either holds.
  std::uint64_t space_size = 0;
  for (const auto part : space) space_size += part.size();
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(space_size >> (56 - 8 * i));
  bool ok = EVP_MAC_update(ctx, length, sizeof length) == 1;
  for (const auto part : space) {
    ok = ok && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
  }
  ok = ok && EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(credentials.data()),
                            credentials.size()) == 1;
  Key key{};
  std::size_t out = 0;
  if (!ok || EVP_MAC_final(ctx, key.data(), &out, key.size()) != 1 || out != key.size()) {
    local.owner = 0;  // state unknown: copy afresh next time
    return std::nullopt;
  }
  return key;
}

VerifyCache::Shard& VerifyCache::shard_for(const Key& key) const noexcept {
  std::uint64_t h;
  std::memcpy(&h, key.data() + 8, sizeof h);  // other bytes than KeyHash uses: shards and buckets independent
  return shards_[h % shard_count_];
}

std::shared_ptr<const Identity> VerifyCache::find(const Key& key, std::uint64_t generation, TimePoint now) {
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
