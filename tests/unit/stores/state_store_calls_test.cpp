// The StateStore contract, on the in-memory store: bad arguments, callbacks that run exactly once, and
// errors as values.
#include "authgate/stores/state_store.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include "state_fixture.hpp"

namespace authgate::stores::test {
namespace {

class StateStoreCalls : public StateStoreTest {};

/// An operation of the table, with its value dropped: only whether it failed, and how, matters.
struct ErrorCase {
  const char* name;
  std::function<StateResult<void>()> op;
  const char* why;
};

template <class T>
StateResult<void> outcome_of(const StateResult<T>& result) {
  if (result) return {};
  return result.error();
}

TEST_F(StateStoreCalls, BadArgumentsAreErrorsNotAnswers) {
  const std::string long_key(513, 'k');
  const std::vector<ErrorCase> cases = {
      {"add_failure, long key", [&] { return outcome_of(add_failure(long_key, 1min)); },
       "keys over max_key_bytes would let one client use unbounded memory"},
      {"failures, long key", [&] { return outcome_of(failures(long_key)); }, "the same limit on reads"},
      {"clear_failures, long key", [&] { return clear_failures(long_key); }, "the same limit"},
      {"issue_nonce, long nonce", [&] { return issue_nonce(long_key, 1min); }, "the same limit"},
      {"use_nonce, long nonce", [&] { return outcome_of(use_nonce(long_key, 1)); }, "the same limit"},
      {"deny, long key", [&] { return deny(long_key, 1min); }, "the same limit"},
      {"is_denied, long key", [&] { return outcome_of(is_denied(long_key)); }, "the same limit"},
      {"zero window", [&] { return outcome_of(add_failure("k", 0ms)); },
       "a window that is already over cannot count anything"},
      {"negative ttl, nonce", [&] { return issue_nonce("n", -1ms); }, "an entry born expired"},
      {"zero ttl, deny", [&] { return deny("t", 0ms); }, "a deny that never takes effect"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto result = c.op();
    ASSERT_FALSE(result.has_value()) << c.why;
    EXPECT_EQ(result.error().code, StateError::Code::invalid_argument);
    EXPECT_EQ(result.error().detail.find("kkk"), std::string::npos) << "the detail never quotes a key";
  }
  EXPECT_TRUE(add_failure(std::string(512, 'k'), 1min).has_value()) << "512 bytes is within the limit";
  EXPECT_TRUE(add_failure("", 1min).has_value()) << "the empty key is a key";
}

TEST_F(StateStoreCalls, TimePointsSaturateInsteadOfOverflowing) {
  ASSERT_TRUE(deny("t", Duration::max()).has_value());
  clock_->advance(24h * 365 * 100);
  EXPECT_TRUE(is_denied("t").value()) << "a ttl past the clock's range means forever, not the past";
}

TEST_F(StateStoreCalls, EveryOperationCallsBackExactlyOnce) {
  // run_inline fails the test unless the callback ran once before the operation returned; the rows
  // cover answers and errors of every operation.
  const std::string long_key(513, 'k');
  const std::vector<ErrorCase> cases = {
      {"add_failure", [&] { return outcome_of(add_failure("k", 1min)); }, "an answer"},
      {"add_failure error", [&] { return outcome_of(add_failure(long_key, 1min)); }, "an error"},
      {"failures", [&] { return outcome_of(failures("k")); }, "an answer"},
      {"clear_failures", [&] { return clear_failures("k"); }, "an answer"},
      {"issue_nonce", [&] { return issue_nonce("n", 1min); }, "an answer"},
      {"issue_nonce error", [&] { return issue_nonce("n", 0ms); }, "an error"},
      {"use_nonce fresh", [&] { return outcome_of(use_nonce("n", 1)); }, "an answer"},
      {"use_nonce replayed", [&] { return outcome_of(use_nonce("n", 1)); }, "an answer"},
      {"use_nonce unknown", [&] { return outcome_of(use_nonce("m", 1)); }, "an answer"},
      {"deny", [&] { return deny("t", 1min); }, "an answer"},
      {"is_denied", [&] { return outcome_of(is_denied("t")); }, "an answer"},
      {"is_denied error", [&] { return outcome_of(is_denied(long_key)); }, "an error"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    (void)c.op();
  }
}

TEST_F(StateStoreCalls, ACallbackMayCallTheStoreAgain) {
  // The store releases its lock before calling back: a callback that calls it again must not deadlock.
  std::uint32_t seen = 0;
  store_->add_failure("k", 1min, [&](const StateResult<FailureWindow>& added) {
    ASSERT_TRUE(added.has_value());
    store_->failures("k", [&](const StateResult<FailureWindow>& read) { seen = read->count; });
  });
  EXPECT_EQ(seen, 1u);
}

TEST(StateError, ValueOnAnErrorThrowsWithTheCodeName) {
  const StateResult<bool> failed = StateError{StateError::Code::timeout, "redis did not answer"};
  try {
    (void)failed.value();
    FAIL() << "value() on an error throws";
  } catch (const std::exception& e) {
    EXPECT_STREQ(e.what(), "timeout: redis did not answer");
  }
  EXPECT_EQ(to_string(StateError::Code::too_many_keys), "too_many_keys");
  EXPECT_EQ(to_string(NonceUse::unknown_or_expired), "unknown_or_expired");
}

}  // namespace
}  // namespace authgate::stores::test
