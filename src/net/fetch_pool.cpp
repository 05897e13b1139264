// The fetch client's idle connections (see net/fetch_pool.hpp).
#include "net/fetch_pool.hpp"

#include "net/idle_socket.hpp"

namespace authgate::net::detail {

void FetchPool::drop_expired(SteadyClock::time_point now, std::vector<std::unique_ptr<PooledLink>>& dropped) {
  auto it = idle_.begin();
  while (it != idle_.end() && now - (*it)->idle_since >= idle_timeout_) ++it;
  dropped.insert(dropped.end(), std::make_move_iterator(idle_.begin()), std::make_move_iterator(it));
  idle_.erase(idle_.begin(), it);
}

std::unique_ptr<PooledLink> FetchPool::take(const std::string& origin) {
  std::vector<std::unique_ptr<PooledLink>> dropped;  // closed outside the lock
  std::unique_ptr<PooledLink> found;
  {
    const std::lock_guard lock(mutex_);
    drop_expired(SteadyClock::now(), dropped);
    for (std::size_t i = idle_.size(); i-- > 0;) {  // newest first
      if (idle_[i]->origin != origin) continue;
      auto link = std::move(idle_[i]);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      if (!link->link.is_open() || idle_socket_is_dead(link->link.tcp().socket())) {
        dropped.push_back(std::move(link));
        continue;
      }
      found = std::move(link);
      break;
    }
  }
  for (auto& link : dropped) link->link.close();
  return found;
}

void FetchPool::give_back(std::unique_ptr<PooledLink> link) {
  if (!link->link.reusable || !link->link.is_open()) return;
  std::vector<std::unique_ptr<PooledLink>> dropped;
  {
    const std::lock_guard lock(mutex_);
    const auto now = SteadyClock::now();
    drop_expired(now, dropped);
    if (idle_.size() < max_idle_) {
      link->idle_since = now;
      idle_.push_back(std::move(link));
    } else {
      dropped.push_back(std::move(link));
    }
  }
  for (auto& item : dropped) item->link.close();
}

std::size_t FetchPool::idle_count() const {
  const std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace authgate::net::detail
