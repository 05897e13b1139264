#pragma once
// A fixed set of threads for CPU-heavy work (password hashes), fed by a bounded queue so a flood of
// slow hashes turns into fast 503s instead of unbounded memory and latency.

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace authgate::gateway {

class WorkerPool {
 public:
  /// Starts `threads` threads (0 = number of cores). At most `max_pending` jobs wait in the queue.
  WorkerPool(unsigned threads, std::size_t max_pending);
  /// Runs the jobs already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job`. False (and `job` is dropped) when `max_pending` jobs are waiting or the pool is
  /// stopping: the caller answers 503. Thread-safe.
  bool try_post(std::function<void()> job);

  /// Jobs waiting (not yet running). Thread-safe.
  std::size_t pending() const;
  /// Jobs ever run to completion. Thread-safe.
  std::uint64_t completed() const;
  unsigned thread_count() const noexcept { return static_cast<unsigned>(threads_.size()); }

 private:
  void run();

  std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;  // guarded by mutex_
  std::uint64_t completed_ = 0;              // guarded by mutex_
  bool stopping_ = false;                    // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace authgate::gateway
