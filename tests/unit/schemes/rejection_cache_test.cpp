// The introspection scheme's cache of refusals: keyed by an HMAC of the token, short-lived, bounded.
#include <gtest/gtest.h>

#include "schemes/bearer/rejection_cache.hpp"

namespace authgate::schemes::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const auto t0 = std::chrono::system_clock::time_point{seconds(1'700'000'000)};

Rejected inactive() { return Rejected{Reason::token_inactive, "Bearer", {{"error", "invalid_token"}}}; }

struct LookupCase {
  const char* name;
  const char* token;   // looked up after "tok-bad" was inserted at t0
  milliseconds after;  // since t0 (negative: the clock went back)
  bool expected_hit;
  const char* why;
};

const LookupCase lookup_cases[] = {
    {"SameTokenSoonAfterIsAHit", "tok-bad", milliseconds(0), true, "the point of the cache"},
    {"JustBeforeTheTtlIsAHit", "tok-bad", milliseconds(4999), true, "lives ttl from insertion"},
    {"AtTheTtlIsAMiss", "tok-bad", milliseconds(5000), false, "an answer can change: ask again"},
    {"AnotherTokenIsAMiss", "tok-bad2", milliseconds(0), false, "keyed by the whole token"},
    {"ATokenPrefixIsAMiss", "tok-ba", milliseconds(0), false, "no prefix matches"},
    {"AClockThatWentBackIsAMiss", "tok-bad", milliseconds(-1000), false,
     "an entry from the future is not trusted"},
};

class Lookup : public testing::TestWithParam<LookupCase> {};

TEST_P(Lookup, FindsOnlyWhatItShould) {
  const auto& c = GetParam();
  RejectionCache cache("Bearer realm=A", seconds(5), 16);
  cache.insert("tok-bad", inactive(), t0);
  const auto found = cache.find(c.token, t0 + c.after);
  EXPECT_EQ(found.has_value(), c.expected_hit) << c.why;
  if (found) {
    EXPECT_EQ(found->reason, Reason::token_inactive);
  }
}

INSTANTIATE_TEST_SUITE_P(RejectionCache, Lookup, testing::ValuesIn(lookup_cases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(RejectionCache, TwoRealmsNeverShareARefusal) {
  // Same token, same process, another realm's cache: its own random HMAC secret and space.
  RejectionCache a("Bearer realm=A", seconds(5), 16), b("Bearer realm=B", seconds(5), 16);
  a.insert("tok", inactive(), t0);
  EXPECT_TRUE(a.find("tok", t0));
  EXPECT_FALSE(b.find("tok", t0));
}

TEST(RejectionCache, HoldsAtMostMaxEntriesDroppingTheOldestFirst) {
  RejectionCache cache("A", seconds(5), 4);
  for (int i = 0; i < 10; ++i) cache.insert("tok-" + std::to_string(i), inactive(), t0 + milliseconds(i));
  EXPECT_EQ(cache.size(), 4u);
  EXPECT_FALSE(cache.find("tok-5", t0 + milliseconds(10)));
  EXPECT_TRUE(cache.find("tok-6", t0 + milliseconds(10)));
  EXPECT_TRUE(cache.find("tok-9", t0 + milliseconds(10)));
}

TEST(RejectionCache, ExpiredEntriesAreDroppedWhenOthersArrive) {
  RejectionCache cache("A", seconds(5), 100);
  for (int i = 0; i < 10; ++i) cache.insert("tok-" + std::to_string(i), inactive(), t0);
  cache.insert("tok-late", inactive(), t0 + seconds(6));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(RejectionCache, AZeroTtlCachesNothing) {
  RejectionCache cache("A", milliseconds(0), 100);
  cache.insert("tok", inactive(), t0);
  EXPECT_FALSE(cache.find("tok", t0));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(RejectionCache, ARepeatedRefusalRestartsItsTtl) {
  RejectionCache cache("A", seconds(5), 100);
  cache.insert("tok", inactive(), t0);
  cache.insert("tok", inactive(), t0 + seconds(4));
  EXPECT_TRUE(cache.find("tok", t0 + seconds(8)));
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace authgate::schemes::detail
