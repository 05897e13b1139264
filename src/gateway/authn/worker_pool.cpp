#include "gateway/authn/worker_pool.hpp"

#include <algorithm>

#include "authgate/scheme.hpp"

namespace authgate::gateway {

WorkerPool::WorkerPool(unsigned threads, std::size_t max_pending) : max_pending_(max_pending) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

bool WorkerPool::try_post(std::function<void()> job) {
  {
    std::lock_guard lock{mutex_};
    if (stopping_ || queue_.size() >= max_pending_) return false;
    queue_.push_back(std::move(job));
  }
  wake_.notify_one();
  return true;
}

std::size_t WorkerPool::pending() const {
  std::lock_guard lock{mutex_};
  return queue_.size();
}

std::uint64_t WorkerPool::completed() const {
  std::lock_guard lock{mutex_};
  return completed_;
}

void WorkerPool::run() {
  std::unique_lock lock{mutex_};
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    auto job = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    job();
    job = nullptr;  // captured state is released outside the lock
    lock.lock();
    ++completed_;
  }
}

}  // namespace authgate::gateway
