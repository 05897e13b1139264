// The StateStore contract, on the in-memory store: failure windows, nonce counts and the deny-list.
#include "authgate/stores/state_store.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "state_fixture.hpp"

namespace authgate::stores::test {
namespace {

/// One step of a table row: move the clock, then act on a key.
struct Step {
  enum class Op { wait, add_failure, clear_failures, issue_nonce, use_nonce, deny };
  Op op;
  std::string key;
  std::chrono::milliseconds time{};  // wait: how long; add_failure: window; issue_nonce, deny: ttl
  std::uint32_t nc = 0;
  std::optional<NonceUse> expect{};  // use_nonce: what it must answer
};

Step wait(std::chrono::milliseconds by) { return {Step::Op::wait, "", by}; }
Step fail(std::string key, std::chrono::milliseconds window) {
  return {Step::Op::add_failure, std::move(key), window};
}
Step clear(std::string key) { return {Step::Op::clear_failures, std::move(key)}; }
Step issue(std::string nonce, std::chrono::milliseconds ttl) {
  return {Step::Op::issue_nonce, std::move(nonce), ttl};
}
Step use(std::string nonce, std::uint32_t nc, NonceUse expect) {
  return {Step::Op::use_nonce, std::move(nonce), {}, nc, expect};
}
Step revoke(std::string key, std::chrono::milliseconds ttl) { return {Step::Op::deny, std::move(key), ttl}; }

class StateStoreContract : public StateStoreTest {
 protected:
  void run(const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      switch (step.op) {
        case Step::Op::wait:
          clock_->advance(step.time);
          break;
        case Step::Op::add_failure:
          EXPECT_TRUE(add_failure(step.key, step.time).has_value());
          break;
        case Step::Op::clear_failures:
          EXPECT_TRUE(clear_failures(step.key).has_value());
          break;
        case Step::Op::issue_nonce:
          EXPECT_TRUE(issue_nonce(step.key, step.time).has_value());
          break;
        case Step::Op::use_nonce:
          EXPECT_EQ(use_nonce(step.key, step.nc).value(), step.expect) << "nc " << step.nc;
          break;
        case Step::Op::deny:
          EXPECT_TRUE(deny(step.key, step.time).has_value());
          break;
      }
    }
  }
};

struct FailureCase {
  const char* name;
  std::vector<Step> steps;
  std::uint32_t count;                  // of key "k" afterwards
  std::chrono::milliseconds resets_at;  // after t0
  const char* why;
};

TEST_F(StateStoreContract, FailureWindowsCountAndReset) {
  const std::vector<FailureCase> cases = {
      {"no failure yet", {}, 0, 0ms, "no window is open: count 0, nothing to wait for"},
      {"first failure", {fail("k", 1min)}, 1, 60s, "the first failure opens a window"},
      {"failures in the window add up",
       {fail("k", 1min), wait(10s), fail("k", 1min), wait(10s), fail("k", 1min)},
       3,
       60s,
       "a fixed window: later failures do not move its end"},
      {"a later window argument is ignored",
       {fail("k", 1min), wait(10s), fail("k", 10min)},
       2,
       60s,
       "a client cannot stretch or shrink an open window"},
      {"the last millisecond still counts",
       {fail("k", 1min), wait(59'999ms), fail("k", 1min)},
       2,
       60s,
       "the window is open until resets_at"},
      {"the window resets at its end",
       {fail("k", 1min), wait(60s), fail("k", 1min)},
       1,
       120s,
       "at resets_at the old window is over and the next failure opens a new one"},
      {"an expired window reads as none",
       {fail("k", 1min), fail("k", 1min), wait(90s)},
       0,
       90s,
       "an expired entry is never answered"},
      {"clear forgets",
       {fail("k", 1min), fail("k", 1min), clear("k")},
       0,
       0ms,
       "a success clears the counter"},
      {"clear then fail opens a fresh window",
       {fail("k", 1min), wait(30s), clear("k"), fail("k", 1min)},
       1,
       90s,
       "the new window starts at the failure after the clear"},
      {"keys are exact bytes",
       {fail("K", 1min), fail("k ", 1min), fail(std::string("k\0", 2), 1min)},
       0,
       0ms,
       "no case folding, no trimming, NUL is a byte like any other"},
      {"other keys are untouched", {fail("k", 1min), clear("j")}, 1, 60s, "clear only drops its own key"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    clock_ = std::make_shared<ManualClock>();
    make({});
    run(c.steps);
    const auto read = failures("k");
    ASSERT_TRUE(read.has_value());
    EXPECT_EQ(read->count, c.count) << c.why;
    EXPECT_EQ(read->resets_at, t0 + c.resets_at) << c.why;
    EXPECT_TRUE(read->recorded);
  }
}

TEST_F(StateStoreContract, AddFailureAnswersTheCountItRecorded) {
  for (std::uint32_t i = 1; i <= 5; ++i) {
    const auto added = add_failure("k", 1min);
    ASSERT_TRUE(added.has_value());
    EXPECT_EQ(added->count, i);
    EXPECT_EQ(added->resets_at, t0 + 1min);
    EXPECT_TRUE(added->recorded);
  }
}

struct NonceCase {
  const char* name;
  std::vector<Step> steps;  // use_nonce steps carry what they must answer
  const char* why;
};

TEST_F(StateStoreContract, NonceCountsAreFreshOnlyWhenTheyGrow) {
  using enum NonceUse;
  constexpr auto ttl = 5min;
  const std::vector<NonceCase> cases = {
      {"first use", {issue("n", ttl), use("n", 1, fresh)}, "RFC 7616 §3.4: nc starts at 1"},
      {"the same nc again",
       {issue("n", ttl), use("n", 1, fresh), use("n", 1, replayed)},
       "a repeated nc is a replayed request"},
      {"nc going backwards",
       {issue("n", ttl), use("n", 1, fresh), use("n", 3, fresh), use("n", 2, replayed)},
       "only an nc above every one seen is fresh"},
      {"gaps are allowed",
       {issue("n", ttl), use("n", 1, fresh), use("n", 9, fresh), use("n", 10, fresh)},
       "a client's lost requests leave gaps"},
      {"nc 0", {issue("n", ttl), use("n", 0, replayed)}, "counting starts at 1, so 0 was never fresh"},
      {"the largest nc",
       {issue("n", ttl), use("n", UINT32_MAX, fresh), use("n", UINT32_MAX, replayed)},
       "8 hex digits: the last value works once"},
      {"never issued", {use("n", 1, unknown_or_expired)}, "only nonces the gateway issued count"},
      {"other nonce", {issue("n", ttl), use("m", 1, unknown_or_expired)}, "nonces are exact bytes"},
      {"the last millisecond", {issue("n", ttl), wait(ttl - 1ms), use("n", 1, fresh)}, "live until its ttl"},
      {"expired",
       {issue("n", ttl), use("n", 1, fresh), wait(ttl), use("n", 2, unknown_or_expired)},
       "at its ttl the nonce is gone: the client gets stale=true and a new one"},
      {"issued again while known",
       {issue("n", ttl), use("n", 3, fresh), issue("n", ttl), use("n", 2, replayed), use("n", 3, replayed)},
       "re-issuing must not reopen counts already used"},
      {"issued again does not extend it",
       {issue("n", ttl), wait(4min), issue("n", ttl), wait(1min), use("n", 1, unknown_or_expired)},
       "the first ttl stands"},
      {"issued again after expiry",
       {issue("n", ttl), use("n", 3, fresh), wait(ttl), issue("n", ttl), use("n", 1, fresh)},
       "an expired nonce is forgotten; issuing it again starts a new one"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    clock_ = std::make_shared<ManualClock>();
    make({});
    run(c.steps);
  }
}

struct DenyCase {
  const char* name;
  std::vector<Step> steps;
  bool denied;  // key "t", afterwards
  const char* why;
};

TEST_F(StateStoreContract, DenyLastsItsTtlAndIsNeverShortened) {
  const std::vector<DenyCase> cases = {
      {"nothing denied", {}, false, "the deny-list starts empty"},
      {"denied", {revoke("t", 1h)}, true, "a revocation takes effect at once"},
      {"the last millisecond", {revoke("t", 1h), wait(1h - 1ms)}, true, "denied until its ttl"},
      {"lapsed", {revoke("t", 1h), wait(1h)}, false, "at its ttl the entry is gone"},
      {"a shorter deny does not shorten",
       {revoke("t", 1h), wait(30min), revoke("t", 1min), wait(29min)},
       true,
       "a second, shorter revocation must not lift the first early"},
      {"a longer deny extends",
       {revoke("t", 1h), wait(30min), revoke("t", 2h), wait(90min)},
       true,
       "the later end wins"},
      {"extended, then lapsed",
       {revoke("t", 1h), wait(30min), revoke("t", 2h), wait(2h)},
       false,
       "the extension ends too"},
      {"other key", {revoke("T", 1h), revoke("t ", 1h)}, false, "keys are exact bytes"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    clock_ = std::make_shared<ManualClock>();
    make({});
    run(c.steps);
    EXPECT_EQ(is_denied("t").value(), c.denied) << c.why;
  }
}

TEST_F(StateStoreContract, TheThreeKindsHaveSeparateKeySpaces) {
  ASSERT_TRUE(add_failure("x", 1min).has_value());
  ASSERT_TRUE(deny("x", 1h).has_value());
  EXPECT_EQ(use_nonce("x", 1).value(), NonceUse::unknown_or_expired) << "a failure key is not a nonce";
  ASSERT_TRUE(issue_nonce("x", 5min).has_value());
  EXPECT_EQ(failures("x")->count, 1u) << "neither the deny nor the nonce counted as a failure";
  ASSERT_TRUE(clear_failures("x").has_value());
  EXPECT_TRUE(is_denied("x").value()) << "clearing failures does not lift a deny";
  EXPECT_EQ(use_nonce("x", 1).value(), NonceUse::fresh);
}

}  // namespace
}  // namespace authgate::stores::test
