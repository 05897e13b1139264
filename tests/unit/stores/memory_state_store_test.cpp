// The in-memory StateStore's own promises: a bound on entries, the eviction order, fail-closed failure
// counters, and exact counts under concurrency.
#include "authgate/stores/memory_state_store.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "state_fixture.hpp"

namespace authgate::stores::test {
namespace {

/// Denies keyed by name with a ttl in minutes, then which of them are still denied.
struct EvictionCase {
  const char* name;
  std::vector<std::pair<std::string, int>> denies;  // (key, ttl in minutes), in order, 1 minute apart
  std::vector<std::string> kept;
  const char* why;
};

class MemoryStateStoreTest : public StateStoreTest {};

TEST_F(MemoryStateStoreTest, WhenFullExpiredEntriesGoFirstThenTheOneClosestToExpiry) {
  const std::vector<EvictionCase> cases = {
      {"room left", {{"a", 10}, {"b", 10}}, {"a", "b"}, "nothing goes while there is room"},
      {"closest to expiry goes",
       {{"a", 10}, {"b", 5}, {"c", 20}, {"d", 30}},
       {"a", "c", "d"},
       "b would have lapsed first: evicting it loses the least"},
      {"every expired entry goes",
       {{"a", 1}, {"b", 1}, {"c", 30}, {"d", 30}, {"e", 30}},
       {"c", "d", "e"},
       "a and b lapsed before d and e came, so no live entry had to go"},
      {"expired before live",
       {{"a", 2}, {"b", 60}, {"c", 50}, {"d", 40}},
       {"b", "c", "d"},
       "a lapsed a minute before d came; c, closer to expiry than b, stays"},
      {"the new entry may be the one that goes",
       {{"a", 30}, {"b", 30}, {"c", 30}, {"d", 1}},
       {"a", "b", "c"},
       "d would lapse before all others, so it is not kept (deny says too_many_keys)"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    clock_ = std::make_shared<ManualClock>();
    make({.max_entries = 3, .shards = 1});
    for (const auto& [key, minutes] : c.denies) {
      (void)deny(key, std::chrono::minutes(minutes));
      clock_->advance(1min);
    }
    std::vector<std::string> kept;
    for (const auto& [key, minutes] : c.denies) {
      if (is_denied(key).value()) kept.push_back(key);
    }
    EXPECT_EQ(kept, c.kept) << c.why;
  }
}

TEST_F(MemoryStateStoreTest, ANonceOrDenyThatCannotBeKeptIsAnError) {
  make({.max_entries = 1, .shards = 1});
  ASSERT_TRUE(deny("long", 1h).has_value());
  const auto nonce = issue_nonce("n", 5min);
  ASSERT_FALSE(nonce.has_value()) << "a nonce the store forgets at once would only ever be unknown";
  EXPECT_EQ(nonce.error().code, StateError::Code::too_many_keys);
  const auto denied = deny("short", 1min);
  ASSERT_FALSE(denied.has_value()) << "a revocation that is not kept must not look done";
  EXPECT_EQ(denied.error().code, StateError::Code::too_many_keys);
  EXPECT_TRUE(is_denied("long").value());
}

TEST_F(MemoryStateStoreTest, ANonceEvictedWhileLiveIsNeverRevivedWithItsCountsAtZero) {
  // Digest issues a nonce when a response first verifies, with the nonce's remaining life as ttl (the
  // same expiry every time). If the store evicted it, issuing it again must not make its nc 1 fresh.
  make({.max_entries = 1, .shards = 1});
  ASSERT_TRUE(issue_nonce("old", 5min).has_value());
  ASSERT_EQ(use_nonce("old", 1).value(), NonceUse::fresh);
  clock_->advance(1min);
  ASSERT_TRUE(issue_nonce("new", 5min).has_value()) << "evicts 'old', which expires first";
  EXPECT_EQ(use_nonce("old", 1).value(), NonceUse::unknown_or_expired);
  ASSERT_TRUE(issue_nonce("old", 4min).has_value()) << "no error: the client is told to take a new nonce";
  EXPECT_EQ(use_nonce("old", 1).value(), NonceUse::unknown_or_expired) << "a captured header stays refused";
  EXPECT_EQ(use_nonce("new", 1).value(), NonceUse::fresh) << "'new' was not displaced by the attempt";
  clock_->advance(1min);
  ASSERT_TRUE(issue_nonce("later", 5min).has_value()) << "a nonce expiring after every forgotten one is kept";
  EXPECT_EQ(use_nonce("later", 1).value(), NonceUse::fresh);
}

TEST_F(MemoryStateStoreTest, AFailureThatCannotBeCountedFailsClosed) {
  make({.max_entries = 1, .shards = 1});
  ASSERT_TRUE(deny("long", 1h).has_value());
  const auto added = add_failure("k", 1min);
  ASSERT_TRUE(added.has_value()) << "throttling still gets an answer";
  EXPECT_FALSE(added->recorded);
  EXPECT_EQ(added->count, FailureWindow::saturated) << "over every limit: a full store never forgives";
  EXPECT_EQ(added->resets_at, t0 + 1min) << "the client may retry after one window";
  EXPECT_EQ(failures("k")->count, 0u) << "nothing was stored";
}

TEST_F(MemoryStateStoreTest, LiveEntriesAreUpdatedInPlaceWhenFull) {
  make({.max_entries = 2, .shards = 1});
  ASSERT_TRUE(add_failure("k", 1min).has_value());
  ASSERT_TRUE(issue_nonce("n", 5min).has_value());
  EXPECT_EQ(add_failure("k", 1min)->count, 2u) << "counting in an open window needs no new entry";
  EXPECT_EQ(use_nonce("n", 1).value(), NonceUse::fresh);
  EXPECT_TRUE(issue_nonce("n", 5min).has_value()) << "issuing a known nonce needs no new entry";
}

TEST_F(MemoryStateStoreTest, ZeroEntriesKeepsNothing) {
  make({.max_entries = 0});
  EXPECT_FALSE(add_failure("k", 1min)->recorded);
  EXPECT_FALSE(deny("t", 1h).has_value());
  EXPECT_FALSE(is_denied("t").value());
}

TEST_F(MemoryStateStoreTest, TheBoundHoldsAcrossShards) {
  make({.max_entries = 100, .shards = 16});
  std::vector<std::string> keys;
  for (int i = 0; i < 2000; ++i) {
    keys.push_back("token-" + std::to_string(i));
    ASSERT_TRUE(deny(keys.back(), std::chrono::minutes(60 + i)).has_value()) << "each outlives the rest";
  }
  const auto kept =
      std::count_if(keys.begin(), keys.end(), [&](const auto& key) { return is_denied(key).value(); });
  EXPECT_EQ(kept, 100) << "each shard holds its share of max_entries, and every shard filled up";
}

TEST_F(MemoryStateStoreTest, ConcurrentFailuresOnOneKeyAddUpExactly) {
  constexpr int threads = 8;
  constexpr int each = 2000;
  std::vector<std::vector<std::uint32_t>> seen(threads);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < each; ++i) {
        store_->add_failure("k", 1min,
                            [&](const StateResult<FailureWindow>& r) { seen[t].push_back(r->count); });
      }
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_EQ(failures("k")->count, static_cast<std::uint32_t>(threads * each));
  std::vector<std::uint32_t> all;
  for (const auto& s : seen) all.insert(all.end(), s.begin(), s.end());
  std::sort(all.begin(), all.end());
  for (std::size_t i = 0; i < all.size(); ++i) {
    ASSERT_EQ(all[i], i + 1) << "every failure saw its own count: none lost, none counted twice";
  }
}

TEST_F(MemoryStateStoreTest, ConcurrentUsesOfOneNonceCountEachNcOnce) {
  constexpr int threads = 8;
  constexpr std::uint32_t last_nc = 2000;
  ASSERT_TRUE(issue_nonce("n", 5min).has_value());
  std::vector<std::atomic<int>> fresh(last_nc + 1);
  std::vector<std::thread> workers;
  workers.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (std::uint32_t nc = 1; nc <= last_nc; ++nc) {
        store_->use_nonce("n", nc, [&](const StateResult<NonceUse>& r) {
          if (r.value() == NonceUse::fresh) ++fresh[nc];
        });
      }
    });
  }
  for (auto& w : workers) w.join();
  for (std::uint32_t nc = 1; nc <= last_nc; ++nc) ASSERT_LE(fresh[nc].load(), 1) << "nc " << nc;
  EXPECT_EQ(fresh[last_nc].load(), 1) << "the highest nc is above all others the first time it comes";
}

TEST_F(MemoryStateStoreTest, TheLocalCopyIsTheStoreItselfAndLapsesWithIt) {
  make({});
  EXPECT_FALSE(store_->has_local_denies()) << "nothing to build keys for yet";
  EXPECT_FALSE(store_->denied_locally("jti:a"));
  ASSERT_TRUE(deny("jti:a", 1h).has_value());
  EXPECT_TRUE(store_->has_local_denies());
  EXPECT_TRUE(store_->denied_locally("jti:a")) << "a deny is in the local copy before deny() calls back";
  EXPECT_FALSE(store_->denied_locally("jti:b"));
  EXPECT_FALSE(store_->denied_locally(std::string(600, 'k'))) << "a key over the limit was never denied";
  clock_->advance(1h);
  EXPECT_FALSE(store_->denied_locally("jti:a")) << "lapsed at its ttl";
}

}  // namespace
}  // namespace authgate::stores::test
