// The in-memory StateStore: failure counters, nonce counts and the deny-list over bounded shards.
#include "authgate/stores/memory_state_store.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

#include "stores/state_shard.hpp"

namespace authgate::stores {
namespace {

using detail::StateEntry;
using detail::StateShard;
using TimePoint = std::chrono::system_clock::time_point;

/// Put in front of every key, so the three kinds of state have separate key spaces.
enum class Kind : char { failure = 'f', nonce = 'n', deny = 'd' };

/// now + ttl, saturating: a huge ttl means "until the end of time", not an overflow into the past.
TimePoint expiry(TimePoint now, StateStore::Duration ttl) {
  const auto room = std::chrono::duration_cast<StateStore::Duration>(TimePoint::max() - now);
  return ttl >= room ? TimePoint::max() : now + ttl;
}

StateError too_many_keys() { return {StateError::Code::too_many_keys, "in-memory state store is full"}; }

class MemoryStateStore final : public StateStore {
 public:
  MemoryStateStore(std::shared_ptr<const Clock> clock, MemoryStateLimits limits)
      : clock_(std::move(clock)), max_key_bytes_(limits.max_key_bytes) {
    if (RAND_bytes(hash_key_.data(), static_cast<int>(hash_key_.size())) != 1) {
      throw std::runtime_error("state store: cannot draw a random hash key");
    }
    const std::size_t count = std::max<std::size_t>(1, std::min(limits.shards, limits.max_entries));
    shards_.reserve(count);
    // Spread max_entries exactly: the first `max % count` shards take one more.
    for (std::size_t i = 0; i < count; ++i) {
      const std::size_t capacity = limits.max_entries / count + (i < limits.max_entries % count ? 1 : 0);
      shards_.push_back(std::make_unique<StateShard>(capacity, hash_key_));
    }
  }

  ~MemoryStateStore() override { OPENSSL_cleanse(hash_key_.data(), hash_key_.size()); }

  bool completes_inline() const noexcept override { return true; }
  MemoryStateStore(const MemoryStateStore&) = delete;
  MemoryStateStore& operator=(const MemoryStateStore&) = delete;

  // Each operation computes its result under the shard's lock and calls back after releasing it, so
  // a callback may call the store again.
  void add_failure(std::string_view key, Duration window, Callback<FailureWindow> done) override {
    done(count_failure(key, window));
  }
  void failures(std::string_view key, Callback<FailureWindow> done) override { done(read_failures(key)); }
  void clear_failures(std::string_view key, Callback<void> done) override { done(erase(Kind::failure, key)); }
  void issue_nonce(std::string_view nonce, Duration ttl, Callback<void> done) override {
    done(add_nonce(nonce, ttl));
  }
  void use_nonce(std::string_view nonce, std::uint32_t nc, Callback<NonceUse> done) override {
    done(count_nonce(nonce, nc));
  }
  void deny(std::string_view key, Duration ttl, Callback<void> done) override { done(add_deny(key, ttl)); }
  void is_denied(std::string_view key, Callback<bool> done) override { done(find_deny(key)); }
  bool denied_locally(std::string_view key) const noexcept override {
    if (!has_local_denies()) return false;
    try {
      auto denied = find_deny(key);
      return denied.has_value() && *denied;
    } catch (...) {  // an allocation failure: the caller cannot wait or fail, so answer from what is known
      return false;
    }
  }
  bool has_local_denies() const noexcept override { return any_denies_.load(std::memory_order_acquire); }

 private:
  /// A key of one kind: the shard that holds it and its bytes in that shard.
  struct Slot {
    StateShard& shard;
    std::string key;
  };

  StateResult<Slot> slot(Kind kind, std::string_view key) const;
  StateResult<Slot> slot(Kind kind, std::string_view key, Duration ttl) const;
  StateResult<FailureWindow> count_failure(std::string_view key, Duration window);
  StateResult<FailureWindow> read_failures(std::string_view key);
  StateResult<void> add_nonce(std::string_view nonce, Duration ttl);
  StateResult<NonceUse> count_nonce(std::string_view nonce, std::uint32_t nc);
  StateResult<void> add_deny(std::string_view key, Duration ttl);
  StateResult<bool> find_deny(std::string_view key) const;
  StateResult<void> erase(Kind kind, std::string_view key);

  std::shared_ptr<const Clock> clock_;
  std::size_t max_key_bytes_;
  detail::SipKey hash_key_{};
  std::vector<std::unique_ptr<StateShard>> shards_;
  std::atomic<bool> any_denies_{false};  // set by the first deny, never cleared (a fast path only)
};

StateResult<MemoryStateStore::Slot> MemoryStateStore::slot(Kind kind, std::string_view key) const {
  if (key.size() > max_key_bytes_) {
    return StateError{StateError::Code::invalid_argument,
                      "key longer than " + std::to_string(max_key_bytes_) + " bytes"};
  }
  std::string bytes;
  bytes.reserve(key.size() + 1);
  bytes += static_cast<char>(kind);
  bytes += key;
  // The high half picks the shard and the map uses the whole hash, so buckets within a shard stay spread.
  const std::uint64_t hash = detail::sip_hash(hash_key_, bytes);
  return Slot{*shards_[(hash >> 32) % shards_.size()], std::move(bytes)};
}

StateResult<MemoryStateStore::Slot> MemoryStateStore::slot(Kind kind, std::string_view key,
                                                           Duration ttl) const {
  if (ttl <= Duration::zero()) return StateError{StateError::Code::invalid_argument, "ttl is not positive"};
  return slot(kind, key);
}

StateResult<FailureWindow> MemoryStateStore::count_failure(std::string_view key, Duration window) {
  auto s = slot(Kind::failure, key, window);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const std::lock_guard lock(s->shard.mutex);
  StateEntry* entry = s->shard.find(s->key, now);
  if (entry == nullptr) entry = s->shard.insert(s->key, StateEntry{expiry(now, window), 0}, now);
  // Fail closed: a failure the store cannot keep counts as over every limit (see the header).
  if (entry == nullptr) return FailureWindow{FailureWindow::saturated, expiry(now, window), false};
  if (entry->value < FailureWindow::saturated) ++entry->value;
  return FailureWindow{static_cast<std::uint32_t>(entry->value), entry->expires, true};
}

StateResult<FailureWindow> MemoryStateStore::read_failures(std::string_view key) {
  auto s = slot(Kind::failure, key);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const std::lock_guard lock(s->shard.mutex);
  const StateEntry* entry = s->shard.find(s->key, now);
  if (entry == nullptr) return FailureWindow{0, now, true};
  return FailureWindow{static_cast<std::uint32_t>(entry->value), entry->expires, true};
}

StateResult<void> MemoryStateStore::add_nonce(std::string_view nonce, Duration ttl) {
  auto s = slot(Kind::nonce, nonce, ttl);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const std::lock_guard lock(s->shard.mutex);
  // A known nonce keeps its highest nc: starting it again at 0 would make its used counts fresh.
  if (s->shard.find(s->key, now) != nullptr) return {};
  // Nor may a nonce this shard forgot early come back with its counts at 0. It cannot be told apart from
  // one never issued, so every nonce that expires no later than one forgotten stays unknown (its client
  // takes a fresh nonce, which expires later); issuers that pass a nonce's remaining life as `ttl` (Digest
  // does) thus never see a forgotten nonce revived.
  const TimePoint until = expiry(now, ttl);
  if (until <= s->shard.forgotten_until()) return {};
  if (s->shard.insert(s->key, StateEntry{until, 0}, now) == nullptr) return too_many_keys();
  return {};
}

StateResult<NonceUse> MemoryStateStore::count_nonce(std::string_view nonce, std::uint32_t nc) {
  auto s = slot(Kind::nonce, nonce);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const std::lock_guard lock(s->shard.mutex);
  StateEntry* entry = s->shard.find(s->key, now);
  if (entry == nullptr) return NonceUse::unknown_or_expired;
  // RFC 7616 §3.4: only an nc above every one seen is fresh, so each request can be replayed never.
  if (nc <= entry->value) return NonceUse::replayed;
  entry->value = nc;
  return NonceUse::fresh;
}

StateResult<void> MemoryStateStore::add_deny(std::string_view key, Duration ttl) {
  auto s = slot(Kind::deny, key, ttl);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const TimePoint until = expiry(now, ttl);
  any_denies_.store(true, std::memory_order_release);
  const std::lock_guard lock(s->shard.mutex);
  if (StateEntry* entry = s->shard.find(s->key, now); entry != nullptr) {
    // Never shortened: a second, shorter revocation must not lift the first one early.
    if (until > entry->expires) s->shard.set_expiry(s->key, *entry, until);
    return {};
  }
  if (s->shard.insert(s->key, StateEntry{until, 0}, now) == nullptr) return too_many_keys();
  return {};
}

StateResult<bool> MemoryStateStore::find_deny(std::string_view key) const {
  auto s = slot(Kind::deny, key);
  if (!s) return s.error();
  const TimePoint now = clock_->now();
  const std::lock_guard lock(s->shard.mutex);
  return s->shard.find(s->key, now) != nullptr;
}

StateResult<void> MemoryStateStore::erase(Kind kind, std::string_view key) {
  auto s = slot(kind, key);
  if (!s) return s.error();
  const std::lock_guard lock(s->shard.mutex);
  s->shard.erase(s->key);
  return {};
}

}  // namespace

std::shared_ptr<StateStore> make_memory_state_store(std::shared_ptr<const Clock> clock,
                                                    MemoryStateLimits limits) {
  return std::make_shared<MemoryStateStore>(std::move(clock), limits);
}

}  // namespace authgate::stores
