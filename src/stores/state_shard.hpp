#pragma once
// Internal: one shard of the in-memory StateStore. A bounded map of entries with an expiry, indexed by
// expiry so that the expired and the soonest-expiring entries are found first. Not thread-safe itself:
// whoever uses it holds `mutex`.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "stores/sip_hash.hpp"

namespace authgate::stores::detail {

struct StateEntry {
  std::chrono::system_clock::time_point expires;
  std::uint64_t value = 0;  // a failure count or the highest nonce count; the deny-list leaves it 0
};

class StateShard {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// Throws std::runtime_error when OpenSSL cannot provide SipHash (start-up only).
  StateShard(std::size_t capacity, const SipKey& hash_key);

  /// The live entry under `key`, or nullptr. An expired entry is dropped, never answered.
  StateEntry* find(std::string_view key, TimePoint now);
  /// Stores `entry` under `key`, which must be absent (call find first). When the shard is full, expired
  /// entries go first, then the entry closest to expiry; when that is the new one (it expires before
  /// every other), nothing changes and the result is nullptr.
  StateEntry* insert(std::string_view key, StateEntry entry, TimePoint now);
  /// Moves the expiry of `entry`, which find or insert returned for `key`.
  void set_expiry(std::string_view key, StateEntry& entry, TimePoint expires);
  /// Drops the entry under `key`, if any.
  void erase(std::string_view key);
  std::size_t size() const noexcept { return entries_.size(); }
  /// The latest expiry of any entry evicted while still live (epoch when none was): an entry expiring
  /// at or before it may have been forgotten early.
  TimePoint forgotten_until() const noexcept { return forgotten_until_; }

  std::mutex mutex;

 private:
  using Entries = std::unordered_map<std::string, StateEntry, SipHasher, std::equal_to<>>;
  /// (expiry, key) of every entry; the key views the map node's own string, which never moves.
  using ByExpiry = std::set<std::pair<TimePoint, std::string_view>>;

  void erase(Entries::iterator it);
  void purge_expired(TimePoint now);

  std::size_t capacity_;
  Entries entries_;
  ByExpiry by_expiry_;
  TimePoint forgotten_until_{};
};

}  // namespace authgate::stores::detail
