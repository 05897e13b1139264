// StateShard: a bounded expiring map, evicting the expired and then the soonest-expiring entry.
#include "stores/state_shard.hpp"

#include <algorithm>

namespace authgate::stores::detail {

StateShard::StateShard(std::size_t capacity, const SipKey& hash_key)
    : capacity_(capacity), entries_(0, SipHasher{&hash_key}) {}

StateEntry* StateShard::find(std::string_view key, TimePoint now) {
  const auto it = entries_.find(key);
  if (it == entries_.end()) return nullptr;
  if (now >= it->second.expires) {
    erase(it);
    return nullptr;
  }
  return &it->second;
}

StateEntry* StateShard::insert(std::string_view key, StateEntry entry, TimePoint now) {
  purge_expired(now);
  if (entries_.size() >= capacity_) {
    // Ties go to the new entry: of two equally close to expiry, the later write is the one to keep.
    if (capacity_ == 0 || entry.expires < by_expiry_.begin()->first) return nullptr;
    forgotten_until_ = std::max(forgotten_until_, by_expiry_.begin()->first);
    erase(entries_.find(by_expiry_.begin()->second));
  }
  const auto [it, inserted] = entries_.emplace(std::string(key), entry);
  by_expiry_.emplace(entry.expires, std::string_view(it->first));
  return &it->second;
}

void StateShard::set_expiry(std::string_view key, StateEntry& entry, TimePoint expires) {
  auto node = by_expiry_.extract({entry.expires, key});
  node.value().first = expires;  // the node keeps viewing the map's own copy of the key
  by_expiry_.insert(std::move(node));
  entry.expires = expires;
}

void StateShard::erase(std::string_view key) {
  if (const auto it = entries_.find(key); it != entries_.end()) erase(it);
}

void StateShard::erase(Entries::iterator it) {
  by_expiry_.erase({it->second.expires, std::string_view(it->first)});
  entries_.erase(it);
}

void StateShard::purge_expired(TimePoint now) {
  while (!by_expiry_.empty() && by_expiry_.begin()->first <= now) {
    erase(entries_.find(by_expiry_.begin()->second));
  }
}

}  // namespace authgate::stores::detail
