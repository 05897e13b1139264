// Short-lived cache of refused introspection verdicts (see schemes/bearer/rejection_cache.hpp).
#include "schemes/bearer/rejection_cache.hpp"

namespace authgate::schemes::detail {

RejectionCache::RejectionCache(std::string space, std::chrono::milliseconds ttl, std::size_t max_entries)
    : space_(std::move(space)),
      ttl_(ttl),
      max_entries_(ttl.count() > 0 ? max_entries : 0),
      keys_(stores::VerifyCache::Options{0, 1}) {}

void RejectionCache::drop_expired(TimePoint now) {
  while (!order_.empty() && (order_.size() > max_entries_ || now - order_.front().second >= ttl_ ||
                             order_.front().second > now)) {
    const auto it = entries_.find(order_.front().first);
    // A key inserted again later has a newer entry: only the entry this queue slot describes goes.
    if (it != entries_.end() && it->second.inserted == order_.front().second) entries_.erase(it);
    order_.pop_front();
  }
}

std::optional<Rejected> RejectionCache::find(std::string_view token, TimePoint now) const {
  if (max_entries_ == 0) return std::nullopt;
  const auto key = keys_.key_for(space_, token);
  const std::lock_guard lock(mutex_);
  const auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  const TimePoint inserted = it->second.inserted;
  if (now < inserted || now - inserted >= ttl_) return std::nullopt;
  return it->second.verdict;
}

void RejectionCache::insert(std::string_view token, const Rejected& verdict, TimePoint now) {
  if (max_entries_ == 0) return;
  const auto key = keys_.key_for(space_, token);
  const std::lock_guard lock(mutex_);
  entries_.insert_or_assign(key, Entry{verdict, now});
  order_.emplace_back(key, now);
  drop_expired(now);
}

std::size_t RejectionCache::size() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace authgate::schemes::detail
