#include "gateway/authn/worker_pool.hpp"

#include <algorithm>

#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {
namespace {

using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr seconds min_retry_after{1};
constexpr seconds max_retry_after{60};
// Each measurement moves the mean by 1/8 of its difference, as TCP smooths its round-trip time: one odd
// job (a page fault, a preempted thread) barely moves it; a changed cost (a new hash file) does in ~10 jobs.
constexpr std::int64_t smoothing = 8;

std::chrono::microseconds in_us(nanoseconds d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d);
}

/// Retry-After for a refused job: when the queue will about have drained, in whole seconds, 1–60.
seconds retry_after_for(nanoseconds drained_in) {
  return std::clamp(std::chrono::ceil<seconds>(drained_in), min_retry_after, max_retry_after);
}

}  // namespace

WorkerPool::WorkerPool(const Options& options) : options_(options), mean_(options.first_estimate) {
  unsigned threads = options.threads;
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (options_.metrics != nullptr) options_.metrics->set_hash_mean_time(in_us(mean_));
  threads_.reserve(threads);
  for (unsigned i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkerPool::WorkerPool(unsigned threads, std::size_t max_pending)
    : WorkerPool(Options{.threads = threads, .max_pending = max_pending}) {}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard lock{mutex_};
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

Admission WorkerPool::try_post(const FairKey& key, std::function<void()> job) {
  Admission admission;
  {
    std::lock_guard lock{mutex_};
    if (stopping_ || queue_.size() >= options_.max_pending) {
      admission.refusal = HashRefusal::full;
    } else if (wait_behind(queue_.ahead_of(key)) > options_.max_wait) {
      // Why by time, not count: a count means 1 s of waiting at one hash cost and a minute at another;
      // a client that waits longer than it would for a 503 and a retry is better told to retry.
      admission.refusal = HashRefusal::wait;
    } else {
      queue_.push(key, std::move(job));
      admission.admitted = true;
    }
    if (!admission.admitted) admission.retry_after = retry_after_for(wait_behind(queue_.size()));
  }
  if (admission.admitted) {
    wake_.notify_one();
  } else if (options_.metrics != nullptr) {
    options_.metrics->count_hash_refused(admission.refusal);
  }
  return admission;
}

// A job with `jobs` waiting before it starts when those and the running ones have all started and one
// more has ended; with every thread busy, one ends every mean ÷ threads on average.
nanoseconds WorkerPool::wait_behind(std::size_t jobs) const {
  const std::size_t threads = threads_.size();
  const std::size_t before = jobs + running_;
  if (before < threads) return nanoseconds{0};
  const auto ends = static_cast<std::int64_t>(before - threads + 1);
  return mean_ * ends / static_cast<std::int64_t>(threads);
}

std::size_t WorkerPool::pending() const {
  std::lock_guard lock{mutex_};
  return queue_.size();
}

std::uint64_t WorkerPool::completed() const {
  std::lock_guard lock{mutex_};
  return completed_;
}

std::chrono::microseconds WorkerPool::mean_job_time() const {
  std::lock_guard lock{mutex_};
  return in_us(mean_);
}

void WorkerPool::measured(nanoseconds took) {
  mean_ = measured_ ? mean_ + (took - mean_) / smoothing : took;  // the first measurement beats the guess
  measured_ = true;
  if (options_.metrics != nullptr) options_.metrics->set_hash_mean_time(in_us(mean_));
}

void WorkerPool::run() {
  std::unique_lock lock{mutex_};
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping and drained
    auto job = queue_.pop();
    ++running_;
    lock.unlock();
    const auto started = std::chrono::steady_clock::now();
    job();
    const auto took = std::chrono::steady_clock::now() - started;
    job = nullptr;  // captured state is released outside the lock
    lock.lock();
    --running_;
    ++completed_;
    measured(took);
  }
}

}  // namespace authgate::gateway
