#pragma once
// A StateStore under test: a clock the test moves, and each operation run to its callback, checking
// that the callback ran exactly once and before the operation returned.

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <ostream>
#include <string_view>

#include "authgate/clock.hpp"
#include "authgate/stores/memory_state_store.hpp"

namespace authgate::stores {

/// GoogleTest prints NonceUse by name.
inline void PrintTo(NonceUse use, std::ostream* os) { *os << to_string(use); }

}  // namespace authgate::stores

namespace authgate::stores::test {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

inline const TimePoint t0 = TimePoint{} + std::chrono::hours(24 * 365 * 50);

class ManualClock final : public Clock {
 public:
  TimePoint now() const noexcept override { return now_.load(); }
  void advance(std::chrono::milliseconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<TimePoint> now_{t0};
};

/// What `op` passed to its callback. A callback not called, called twice or called after `op` returned
/// fails the test: the in-memory store completes inline, exactly once.
template <class T, class Op>
StateResult<T> run_inline(Op op) {
  int calls = 0;
  std::optional<StateResult<T>> got;
  op([&](StateResult<T> result) {
    ++calls;
    got.emplace(std::move(result));
  });
  EXPECT_EQ(calls, 1) << "the callback runs exactly once, before the operation returns";
  return got.value_or(StateError{StateError::Code::unavailable, "no callback"});
}

class StateStoreTest : public ::testing::Test {
 protected:
  using Duration = StateStore::Duration;

  void make(MemoryStateLimits limits) { store_ = make_memory_state_store(clock_, limits); }

  StateResult<FailureWindow> add_failure(std::string_view key, Duration window) {
    return run_inline<FailureWindow>([&](auto done) { store_->add_failure(key, window, done); });
  }
  StateResult<FailureWindow> failures(std::string_view key) {
    return run_inline<FailureWindow>([&](auto done) { store_->failures(key, done); });
  }
  StateResult<void> clear_failures(std::string_view key) {
    return run_inline<void>([&](auto done) { store_->clear_failures(key, done); });
  }
  StateResult<void> issue_nonce(std::string_view nonce, Duration ttl) {
    return run_inline<void>([&](auto done) { store_->issue_nonce(nonce, ttl, done); });
  }
  StateResult<NonceUse> use_nonce(std::string_view nonce, std::uint32_t nc) {
    return run_inline<NonceUse>([&](auto done) { store_->use_nonce(nonce, nc, done); });
  }
  StateResult<void> deny(std::string_view key, Duration ttl) {
    return run_inline<void>([&](auto done) { store_->deny(key, ttl, done); });
  }
  StateResult<bool> is_denied(std::string_view key) {
    return run_inline<bool>([&](auto done) { store_->is_denied(key, done); });
  }

  std::shared_ptr<ManualClock> clock_ = std::make_shared<ManualClock>();
  std::shared_ptr<StateStore> store_ = make_memory_state_store(clock_);
};

}  // namespace authgate::stores::test
