#pragma once
// The hashing pool: a fixed set of threads for password hashes (bcrypt, argon2id) and nothing else. A job
// is admitted only when it is expected to start within the configured maximum wait (limits.max_hash_wait),
// judged from the measured time of a hash, and the threads are shared round robin between client
// networks and the users they claim (fair_queue.hpp). So a flood from one address turns into quick 503s
// for that address, while a login from elsewhere still starts within the maximum wait. A count bound
// (server.max_pending_hashes) caps the memory whatever the measurements say.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/authn/fair_queue.hpp"

namespace authgate::gateway {

class Metrics;

/// Why the pool refused a job (the `why` label of authgate_hash_queue_refused_total).
enum class HashRefusal : unsigned char {
  wait,  // it would wait longer than the maximum wait
  full,  // max_pending jobs wait already, or the pool is stopping
};

/// What try_post() decided.
struct Admission {
  bool admitted = false;
  HashRefusal refusal = HashRefusal::full;  // when refused
  /// When refused: about when the queue will have drained, for the 503's Retry-After (1–60 s).
  std::chrono::seconds retry_after{0};
};

class WorkerPool {
 public:
  struct Options {
    unsigned threads = 0;  // 0 = number of cores
    std::size_t max_pending = 1024;
    std::chrono::milliseconds max_wait = std::chrono::seconds{2};
    /// The time of one job assumed until one has been measured: on the slow side, so a burst at start-up
    /// is not admitted on a guess of cheap hashes.
    std::chrono::microseconds first_estimate = std::chrono::milliseconds{100};
    Metrics* metrics = nullptr;  // refusals and the mean job time; optional (tests)
  };

  explicit WorkerPool(const Options& options);
  /// `threads` threads (0 = cores), at most `max_pending` jobs waiting, the other options' defaults.
  WorkerPool(unsigned threads, std::size_t max_pending);
  /// Runs the jobs already queued, then joins the threads.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  /// Queues `job` behind the jobs of `key`'s client and user, or refuses it (and drops it) when it would
  /// wait longer than max_wait, when max_pending jobs wait, or when the pool is stopping: the caller
  /// answers 503 with the admission's retry_after. Thread-safe.
  Admission try_post(const FairKey& key, std::function<void()> job);

  /// Jobs waiting (not yet running). Thread-safe.
  std::size_t pending() const;
  /// Jobs ever run to completion. Thread-safe.
  std::uint64_t completed() const;
  /// The mean time of one job (EWMA of the measured ones; first_estimate before any). Thread-safe.
  std::chrono::microseconds mean_job_time() const;
  unsigned thread_count() const noexcept { return static_cast<unsigned>(threads_.size()); }

 private:
  void run();
  void measured(std::chrono::nanoseconds took);                  // mutex_ held
  std::chrono::nanoseconds wait_behind(std::size_t jobs) const;  // mutex_ held

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  FairQueue queue_;                // guarded by mutex_
  std::size_t running_ = 0;        // guarded by mutex_
  std::chrono::nanoseconds mean_;  // guarded by mutex_
  bool measured_ = false;          // guarded by mutex_
  std::uint64_t completed_ = 0;    // guarded by mutex_
  bool stopping_ = false;          // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace authgate::gateway
