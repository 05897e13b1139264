// The table of open connections (see connection_table.hpp).
#include "gateway/conn/connection_table.hpp"

#include <utility>

#include "gateway/authn/client_network.hpp"

namespace authgate::gateway {
namespace {

using SteadyClock = std::chrono::steady_clock;

std::int64_t ticks(SteadyClock::time_point at) noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
}

}  // namespace

std::string_view to_string(ConnectionRefusal refusal) noexcept {
  switch (refusal) {
    case ConnectionRefusal::none:
      return "none";
    case ConnectionRefusal::total:
      return "max_connections";
    case ConnectionRefusal::address:
      return "per_address";
    case ConnectionRefusal::pending_heads:
      return "pending_heads";
  }
  return "none";
}

std::string ConnectionTable::network_of(const boost::asio::ip::address& peer) {
  return client_network(peer.to_string());  // the same client as throttling and the hashing queue count
}

ConnectionTable::Ticket& ConnectionTable::Ticket::operator=(Ticket&& other) noexcept {
  if (this != &other) {
    release();
    table_ = std::exchange(other.table_, nullptr);
    entry_ = std::move(other.entry_);
  }
  return *this;
}

void ConnectionTable::Ticket::set_phase(Phase phase) noexcept {
  if (!entry_) return;
  const Phase before = entry_->phase.exchange(phase, std::memory_order_relaxed);
  entry_->since_ns.store(ticks(SteadyClock::now()), std::memory_order_relaxed);
  // Only this connection's own thread moves its pending count (here and in release()): no race.
  if (entry_->counts && (before == Phase::head) != (phase == Phase::head)) {
    if (phase == Phase::head) {
      entry_->counts->pending.fetch_add(1, std::memory_order_relaxed);
    } else {
      entry_->counts->pending.fetch_sub(1, std::memory_order_relaxed);
    }
  }
}

ConnectionTable::Phase ConnectionTable::Ticket::phase() const noexcept {
  return entry_ ? entry_->phase.load(std::memory_order_relaxed) : Phase::busy;
}

void ConnectionTable::Ticket::on_evict(std::function<void()> close) {
  if (!entry_) return;
  const std::lock_guard lock(entry_->close_mutex);
  entry_->close = std::move(close);
}

void ConnectionTable::Ticket::release() noexcept {
  if (table_ != nullptr && entry_) table_->release(entry_);
  table_ = nullptr;
  entry_.reset();
}

void ConnectionTable::Ticket::spare() noexcept {
  if (table_ != nullptr && entry_) table_->spare(entry_);
}

void ConnectionTable::spare(const std::shared_ptr<Entry>& entry) noexcept {
  {
    const std::lock_guard lock(mutex_);
    if (!entry->evicted.exchange(false, std::memory_order_relaxed)) return;
    --closing_;
  }
  if (wanted_.exchange(false, std::memory_order_acq_rel) && wake_) wake_();  // choose another
}

void ConnectionTable::release(const std::shared_ptr<Entry>& entry) noexcept {
  {
    const std::lock_guard close_lock(entry->close_mutex);
    entry->close = nullptr;  // nothing left to close; drops what the closure holds
  }
  {
    const std::lock_guard lock(mutex_);
    entries_.erase(entry);
    if (entry->evicted.load(std::memory_order_relaxed)) --closing_;
    if (entry->counts) {
      if (entry->phase.load(std::memory_order_relaxed) == Phase::head) {
        entry->counts->pending.fetch_sub(1, std::memory_order_relaxed);
      }
      if (--entry->counts->open == 0) by_network_.erase(entry->network);
    }
  }
  if (wanted_.exchange(false, std::memory_order_acq_rel) && wake_) wake_();
}

bool ConnectionTable::evict_oldest(SteadyClock::time_point now, std::chrono::milliseconds evict_after,
                                   std::function<void()>& close) {
  const std::int64_t latest = ticks(now - evict_after);
  std::shared_ptr<Entry> oldest;
  std::int64_t oldest_since = latest + 1;
  for (const auto& entry : entries_) {
    if (entry->evicted.load(std::memory_order_relaxed)) continue;
    if (entry->phase.load(std::memory_order_relaxed) == Phase::busy) continue;
    const std::int64_t since = entry->since_ns.load(std::memory_order_relaxed);
    if (since <= latest && since < oldest_since) {
      oldest = entry;
      oldest_since = since;
    }
  }
  if (!oldest) return false;
  // Still counted until its session has closed the socket (its own thread does that at once).
  oldest->evicted.store(true, std::memory_order_relaxed);
  ++closing_;
  evicted_.fetch_add(1, std::memory_order_relaxed);
  const std::lock_guard close_lock(oldest->close_mutex);
  close = oldest->close;
  return true;
}

ConnectionRefusal ConnectionTable::admit(const boost::asio::ip::address& peer, bool exempt,
                                         const ConnectionLimits& limits, Ticket& ticket) {
  const auto now = SteadyClock::now();
  auto entry = std::make_shared<Entry>();
  entry->exempt = exempt;
  entry->since_ns.store(ticks(now), std::memory_order_relaxed);
  if (!exempt) entry->network = network_of(peer);
  {
    const std::lock_guard lock(mutex_);
    if (!exempt) {
      auto& counts = by_network_[entry->network];
      if (!counts) counts = std::make_shared<Counts>();
      const bool over_open = limits.per_address != 0 && counts->open >= limits.per_address;
      const bool over_pending = limits.pending_per_address != 0 &&
                                counts->pending.load(std::memory_order_relaxed) >= limits.pending_per_address;
      if (over_open || over_pending) {
        if (counts->open == 0) by_network_.erase(entry->network);
        return over_open ? ConnectionRefusal::address : ConnectionRefusal::pending_heads;
      }
      entry->counts = counts;
    }
    if (entries_.size() >= limits.max_connections) {
      if (entry->counts && entry->counts->open == 0) by_network_.erase(entry->network);
      return ConnectionRefusal::total;
    }
    if (entry->counts) {
      ++entry->counts->open;
      entry->counts->pending.fetch_add(1, std::memory_order_relaxed);  // a new connection owes a head
    }
    entries_.insert(entry);
  }
  admitted_.fetch_add(1, std::memory_order_relaxed);
  ticket = Ticket(this, std::move(entry));
  return ConnectionRefusal::none;
}

bool ConnectionTable::has_room(std::size_t max_connections) const {
  const std::lock_guard lock(mutex_);
  return entries_.size() < max_connections;
}

bool ConnectionTable::make_room(std::chrono::milliseconds evict_after) {
  std::function<void()> close;
  {
    const std::lock_guard lock(mutex_);
    if (closing_ > 0) return true;  // one at a time: each closed connection admits one new one
    if (!evict_oldest(SteadyClock::now(), evict_after, close)) return false;
  }
  if (close) close();  // posts to the evicted connection's own thread
  return true;
}

std::size_t ConnectionTable::open() const {
  const std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace authgate::gateway
