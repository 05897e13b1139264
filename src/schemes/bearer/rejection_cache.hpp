#pragma once
// Introspection verdicts that refused a token (`active: false`, or claims that do not pass), remembered
// for a short time so that a flood of one bad opaque token costs one call to the authorization server,
// not one per request (the gateway's verify cache holds only successes). Internal to the schemes layer.

#include <chrono>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

#include "authgate/outcome.hpp"
#include "authgate/stores/verify_cache.hpp"

namespace authgate::schemes::detail {

/// Keys are SipHash-2-4-128(per-instance random secret, space ‖ token) exactly as in stores::VerifyCache:
/// the cache never holds a token. Every entry lives `ttl` from its insertion (so insertion order is
/// expiry order: the oldest entry is evicted first when `max_entries` are held). A clock that moves back
/// makes entries from "the future" misses. Thread-safe (one mutex; a hit costs one keyed hash and a lookup).
class RejectionCache {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// `space` names the realm (entries of two realms never mix). ttl 0 or max_entries 0 disables it.
  RejectionCache(std::string space, std::chrono::milliseconds ttl, std::size_t max_entries);

  /// The verdict cached for `token`, or nullopt.
  std::optional<Rejected> find(std::string_view token, TimePoint now) const;

  /// Remembers `verdict` for `token` until now + ttl.
  void insert(std::string_view token, const Rejected& verdict, TimePoint now);

  std::size_t size() const;

 private:
  struct Entry {
    Rejected verdict;
    TimePoint inserted;
  };
  void drop_expired(TimePoint now);

  std::string space_;
  std::chrono::milliseconds ttl_;
  std::size_t max_entries_;
  stores::VerifyCache keys_;  // used only for key_for(): the same keyed hash as the positive cache
  mutable std::mutex mutex_;
  std::unordered_map<stores::VerifyCache::Key, Entry, stores::VerifyCache::KeyHash> entries_;
  std::deque<std::pair<stores::VerifyCache::Key, TimePoint>> order_;  // insertion order
};

}  // namespace authgate::schemes::detail
