// The blocking fetch client's idle connections (see net/fetch_pool.hpp).
#include "net/fetch_pool.hpp"

namespace authgate::net::detail {
namespace {

// Closes the connections outside the pool's lock (each owns its io_context: nothing else is needed).
void close_all(IdleLinks<PooledLink>::Dropped& dropped) noexcept {
  for (auto& link : dropped) link->link.close();
}

}  // namespace

std::unique_ptr<PooledLink> FetchPool::take(const std::string& origin) {
  IdleLinks<PooledLink>::Dropped dropped;
  std::unique_ptr<PooledLink> found;
  {
    const std::lock_guard lock(mutex_);
    found = idle_.take(origin, reuse_.idle_timeout, dropped);
  }
  close_all(dropped);
  return found;
}

void FetchPool::give_back(std::unique_ptr<PooledLink> link) {
  IdleLinks<PooledLink>::Dropped dropped;
  {
    const std::lock_guard lock(mutex_);
    idle_.park(std::move(link), reuse_, dropped);
  }
  close_all(dropped);
}

std::size_t FetchPool::idle_count() const {
  const std::lock_guard lock(mutex_);
  return idle_.size();
}

}  // namespace authgate::net::detail
