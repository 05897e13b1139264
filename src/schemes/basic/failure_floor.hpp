#pragma once
// The least time a refused Basic login may take: what verifying the store's dummy hash takes now. The
// dummy is modelled on the store's dearest (kind, cost) class, so an unknown user costs what the
// strongest-hashed user costs; a wrong password for a user with a cheaper hash is padded up to the same
// floor. Without it, every user whose hash is cheaper than the dearest one is told apart from a
// non-existent user by timing (issue 11 F6). The floor follows the dummy's measured verifications
// (moving average), so it rises and falls with the machine's load as the real verifications do.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace authgate::schemes::detail {

class FailureFloor {
 public:
  using Pause = std::function<void(std::chrono::nanoseconds)>;

  /// `initial`: one measured verification of the dummy. `pause` waits (a worker thread's sleep; tests
  /// record instead).
  FailureFloor(std::chrono::nanoseconds initial, Pause pause)
      : ns_(initial.count()), pause_(std::move(pause)) {}

  /// A verification of the dummy (or of an entry of its class) just took `took`.
  void observe(std::chrono::nanoseconds took) noexcept {
    // An eighth of each new sample: quick to follow load, slow to be dragged by one outlier.
    auto old = ns_.load(std::memory_order_relaxed);
    while (!ns_.compare_exchange_weak(old, old + (took.count() - old) / 8, std::memory_order_relaxed)) {
    }
  }

  std::chrono::nanoseconds value() const noexcept {
    return std::chrono::nanoseconds{ns_.load(std::memory_order_relaxed)};
  }

  /// Waits until `start + value()`; returns at once when that has passed.
  void wait_from(std::chrono::steady_clock::time_point start) const {
    const auto left = start + value() - std::chrono::steady_clock::now();
    if (left > std::chrono::nanoseconds::zero())
      pause_(std::chrono::duration_cast<std::chrono::nanoseconds>(left));
  }

 private:
  std::atomic<std::int64_t> ns_;
  Pause pause_;
};

}  // namespace authgate::schemes::detail
