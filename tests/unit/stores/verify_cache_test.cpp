// The verified-credential cache: hits, misses, expiry, generations, bounds, concurrency.
#include "authgate/stores/verify_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

namespace authgate::stores {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

const Clock::time_point t0 = Clock::time_point{} + std::chrono::hours(24 * 365 * 50);

std::shared_ptr<const Identity> identity(std::string user) {
  return std::make_shared<const Identity>(Identity{std::move(user), {"staff"}, "Basic", {}, {}});
}

VerifyCache::Key key_of(const VerifyCache& cache, std::string_view space, std::string_view credentials) {
  return cache.key_for(space, credentials);
}

std::string hex_of(const VerifyCache::Key& key) {
  static const char digits[] = "0123456789abcdef";
  std::string hex;
  for (auto b : key) {
    hex += digits[b >> 4];
    hex += digits[b & 15];
  }
  return hex;
}

TEST(VerifyCache, KeyIsSipHash128OfLengthPrefixedSpaceAndCredentials) {
  std::array<std::uint8_t, VerifyCache::secret_bytes> secret{};
  secret.fill(0x0b);
  VerifyCache cache({}, secret);
  // SipHash-2-4-128 keyed with 0x0b*16 of 00 00 00 00 00 00 00 05 "Basic" "QWxhZGRpbjpvcGVuIHNlc2FtZQ==",
  // computed with `openssl mac -macopt hexkey:0b…0b -macopt size:16 SIPHASH`, whose 128-bit mode gives the
  // reference implementation's vectors_sip128[0] (a3817f04…, key 00..0f, no message).
  EXPECT_EQ(hex_of(key_of(cache, "Basic", "QWxhZGRpbjpvcGVuIHNlc2FtZQ==")),
            "d14cbfa748ecc56e2eeff7ca2a9aab91");
}

TEST(VerifyCache, KeysSeparateSpacesCredentialsAndProcesses) {
  VerifyCache a, b;
  std::set<VerifyCache::Key> keys = {
      key_of(a, "Basic realm=x", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
      key_of(a, "Basic realm=y", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),
      key_of(a, "Basic realm=x", "QWxhZGRpbjpvcGVuIHNlc2FtZR=="),
      key_of(a, "Basic realm=xQ", "WxhZGRpbjpvcGVuIHNlc2FtZQ=="),  // same concatenation, other split
      key_of(b, "Basic realm=x", "QWxhZGRpbjpvcGVuIHNlc2FtZQ=="),  // another process secret
  };
  EXPECT_EQ(keys.size(), 5u);
  EXPECT_EQ(key_of(a, "s", "c"), key_of(a, "s", "c")) << "deterministic within one cache";
}

TEST(VerifyCache, TheSpaceIsItsPiecesJoinedWhateverTheirSizes) {
  VerifyCache cache;
  const std::string long_credentials(1000, 'c');  // more than the stack buffer: hashed in its own call
  const std::string long_realm(300, 'r');
  for (const std::string_view credentials : {std::string_view{"c"}, std::string_view{long_credentials}}) {
    const auto joined = key_of(cache, "Basic realm=x", credentials);
    EXPECT_EQ(cache.key_for({"Basic", std::string_view{}, " realm=", "x"}, credentials), joined)
        << "an empty piece (null data) adds nothing";
    EXPECT_EQ(cache.key_for({"Basic", " realm=", "x"}, credentials), joined);
    EXPECT_EQ(cache.key_for({"Basic realm=", long_realm}, credentials),
              key_of(cache, "Basic realm=" + long_realm, credentials));
  }
  EXPECT_EQ(cache.key_for({std::string_view{}}, std::string_view{}), key_of(cache, "", ""));
}

TEST(VerifyCache, HitReturnsTheSameIdentityAndCountsIt) {
  VerifyCache cache;
  const auto key = key_of(cache, "Basic", "creds");
  EXPECT_EQ(cache.find(key, 1, t0), nullptr);
  const auto alice = identity("alice");
  cache.insert(key, alice, 1, t0 + 5min);
  EXPECT_EQ(cache.find(key, 1, t0 + 1min), alice);
  EXPECT_EQ(cache.find(key, 1, t0 + 2min), alice);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits, 2u);
  EXPECT_EQ(stats.misses, 1u);
  EXPECT_EQ(stats.insertions, 1u);
  EXPECT_EQ(stats.size, 1u);
}

TEST(VerifyCache, ExpiredEntryIsAMissAndIsDropped) {
  VerifyCache cache;
  const auto key = key_of(cache, "Basic", "creds");
  cache.insert(key, identity("alice"), 1, t0 + 5min);
  EXPECT_NE(cache.find(key, 1, t0 + 5min - 1ns), nullptr);
  EXPECT_EQ(cache.find(key, 1, t0 + 5min), nullptr) << "expiry is exclusive";
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.find(key, 1, t0), nullptr) << "dropped, not hidden";
  EXPECT_EQ(cache.stats().stale, 1u);
}

TEST(VerifyCache, EntryOfAnotherGenerationIsAMissSoAReloadRevokesAtOnce) {
  VerifyCache cache;
  const auto key = key_of(cache, "Basic", "creds");
  cache.insert(key, identity("alice"), 1, t0 + 5min);
  EXPECT_EQ(cache.find(key, 2, t0), nullptr) << "alice's password changed in generation 2";
  EXPECT_EQ(cache.find(key, 1, t0), nullptr) << "and the old entry is gone";
}

TEST(VerifyCache, InsertReplacesAnEntryWithTheSameKey) {
  VerifyCache cache;
  const auto key = key_of(cache, "Basic", "creds");
  cache.insert(key, identity("alice"), 1, t0 + 5min);
  cache.insert(key, identity("alice2"), 2, t0 + 5min);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.find(key, 2, t0)->user, "alice2");
}

TEST(VerifyCache, NeverHoldsMoreThanMaxEntriesAndEvictsTheLeastRecentlyUsed) {
  VerifyCache cache({.max_entries = 100, .shards = 4});
  std::vector<VerifyCache::Key> keys;
  for (int i = 0; i < 1000; ++i) {
    keys.push_back(key_of(cache, "Basic", "creds" + std::to_string(i)));
    cache.insert(keys.back(), identity("u"), 1, t0 + 5min);
    ASSERT_LE(cache.size(), 100u);
  }
  EXPECT_EQ(cache.size(), 100u);
  EXPECT_EQ(cache.stats().evictions, 900u);
  EXPECT_NE(cache.find(keys.back(), 1, t0), nullptr) << "the newest entry survives";
  EXPECT_EQ(cache.find(keys.front(), 1, t0), nullptr) << "the oldest was evicted";
}

TEST(VerifyCache, UsedEntrySurvivesEvictionInItsShard) {
  VerifyCache cache({.max_entries = 2, .shards = 1});
  const auto a = key_of(cache, "s", "a"), b = key_of(cache, "s", "b"), c = key_of(cache, "s", "c");
  cache.insert(a, identity("a"), 1, t0 + 5min);
  cache.insert(b, identity("b"), 1, t0 + 5min);
  ASSERT_NE(cache.find(a, 1, t0), nullptr);  // a is now the most recently used
  cache.insert(c, identity("c"), 1, t0 + 5min);
  EXPECT_NE(cache.find(a, 1, t0), nullptr);
  EXPECT_EQ(cache.find(b, 1, t0), nullptr);
}

TEST(VerifyCache, ZeroMaxEntriesDisablesCaching) {
  VerifyCache cache({.max_entries = 0});
  const auto key = key_of(cache, "s", "c");
  cache.insert(key, identity("a"), 1, t0 + 5min);
  EXPECT_EQ(cache.find(key, 1, t0), nullptr);
  EXPECT_EQ(cache.size(), 0u);
}

TEST(VerifyCache, ClearDropsEverything) {
  VerifyCache cache;
  const auto key = key_of(cache, "s", "c");
  cache.insert(key, identity("a"), 1, t0 + 5min);
  cache.clear();
  EXPECT_EQ(cache.size(), 0u);
  EXPECT_EQ(cache.find(key, 1, t0), nullptr);
}

TEST(VerifyCache, ConcurrentReadersAndWritersStayConsistentAndBounded) {
  VerifyCache cache({.max_entries = 64, .shards = 8});
  std::vector<VerifyCache::Key> keys;
  for (int i = 0; i < 256; ++i) keys.push_back(key_of(cache, "Basic", std::to_string(i)));
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20000; ++i) {
        const auto& key = keys[static_cast<std::size_t>((i * 7 + t * 13) % 256)];
        const std::string user = std::to_string((i * 7 + t * 13) % 256);
        if (auto hit = cache.find(key, 1, t0)) {
          if (hit->user != user) ++wrong;
        } else {
          cache.insert(key, identity(user), 1, t0 + 5min);
        }
        if (i % 1000 == 0) (void)cache.key_for("Basic", user);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), 64u);
  const auto stats = cache.stats();
  EXPECT_EQ(stats.hits + stats.misses, 80000u);
}

}  // namespace
}  // namespace authgate::stores
