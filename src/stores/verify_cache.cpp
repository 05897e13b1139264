// VerifyCache: SipHash-2-4-128 keys, sharded LRU maps.
#include "authgate/stores/verify_cache.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string_view>
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

/// Feeds a message to a MAC in as few EVP_MAC_update calls as it can: each call costs ≈ 100 instructions of
/// dispatch before it hashes a byte, and a key's message comes in five pieces (length, three of the space,
/// credentials). Pieces are gathered on the stack; one that does not fit goes in its own call.
class MessageFeed {
 public:
  explicit MessageFeed(EVP_MAC_CTX* ctx) noexcept : ctx_(ctx) {}

  void add(std::string_view piece) noexcept {
    if (piece.size() > buffer_.size() - used_) {
      flush();
      if (piece.size() > buffer_.size()) {
        update(piece.data(), piece.size());
        return;
      }
    }
    if (piece.empty()) return;  // an empty view's data() may be null, which memcpy may not be given
    std::memcpy(buffer_.data() + used_, piece.data(), piece.size());
    used_ += piece.size();
  }

  /// Hands over what is gathered; false once any call failed.
  bool flush() noexcept {
    if (used_ > 0) update(buffer_.data(), used_);
    used_ = 0;
    return ok_;
  }

 private:
  void update(const char* data, std::size_t size) noexcept {
    ok_ = ok_ && EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data), size) == 1;
  }

  EVP_MAC_CTX* ctx_;
  std::array<char, 256> buffer_{};  // a Basic credential and its space fit; a JWT goes in its own call
  std::size_t used_ = 0;
  bool ok_ = true;
};

}  // namespace

/// SipHash-2-4 with its 128-bit output (a keyed PRF; OpenSSL's EVP_MAC "SIPHASH", size 16). A cache key
/// only has to be unforgeable online: the tags never leave the process, so to make a request hit another
/// credential's entry an attacker must guess a 128-bit PRF output, one request per guess (with N entries
/// cached, N / 2^128 a guess). Measured in bench/cost, the keyed hashes tried before cost per key:
/// HMAC-SHA256 9,000 Ir and two allocations (its re-init copies two digest contexts); BLAKE2b-256 13,400 Ir
/// for a 700-byte token and 4,800 for a Basic credential; SipHash-2-4-128 4,600 and 1,500.
/// The keyed context holding the secret; each thread copies it once into its ThreadMac (EVP_MAC_CTX_dup
/// reads a const source, which openssl-threads(7) allows from several threads at once).
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

VerifyCache::~VerifyCache() = default;

void VerifyCache::init(Options options, std::span<const std::uint8_t, secret_bytes> secret) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  MacCtx ctx(mac != nullptr ? EVP_MAC_CTX_new(mac) : nullptr);
  EVP_MAC_free(mac);  // the context keeps its own reference
  // The size goes in with the key: SipHash's 128-bit mode changes the state the key initialises.
  std::size_t key_bytes = std::tuple_size_v<Key>;
  const OSSL_PARAM size[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &key_bytes), OSSL_PARAM_END};
  if (!ctx || EVP_MAC_init(ctx.get(), secret.data(), secret.size(), size) != 1) {
    throw std::runtime_error("verify cache: SipHash-2-4-128 unavailable (OpenSSL default provider)");
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
  MessageFeed feed(local.ctx.get());
  // The length prefix makes (space, credentials) → message injective whatever bytes either holds.
  std::uint64_t space_size = 0;
  for (const auto part : space) space_size += part.size();
  std::array<char, 8> length{};
  for (std::size_t i = 0; i < length.size(); ++i) length[i] = static_cast<char>(space_size >> (56 - 8 * i));
  feed.add({length.data(), length.size()});
  for (const auto part : space) feed.add(part);
  feed.add(credentials);
  const bool ok = feed.flush();
  EVP_MAC_CTX* ctx = local.ctx.get();
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
