// The dummy hash: an unknown user must cost what the store's typical user costs.
#include "authgate/stores/memory_store.hpp"

#include <gtest/gtest.h>

#include "authgate/stores/htpasswd.hpp"
#include "fixtures.hpp"

namespace authgate::stores {
namespace {

UserRecord record(std::string user, std::string hash, int line) {
  auto kind = classify_hash(hash);
  return UserRecord{std::move(user), std::move(hash), kind, line};
}

const std::string bcrypt4 = "$2y$04$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW";
const std::string bcrypt5 = "$2y$05$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS";
const std::string apr1 = "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/";
const std::string sha1 = "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=";

TEST(DummyHash, UsesTheMostCommonExpensiveAlgorithmAndCost) {
  const std::vector<UserRecord> records = {record("a", bcrypt4, 1), record("b", bcrypt5, 2),
                                           record("c", bcrypt5, 3), record("d", sha1, 4),
                                           record("e", sha1, 5),    record("f", sha1, 6)};
  const auto dummy = make_dummy_hash(records);
  ASSERT_TRUE(dummy.has_value());
  EXPECT_EQ(cost_prefix(*dummy), "$2y$05$") << "cheap {SHA} entries do not count even if more numerous";
}

TEST(DummyHash, BreaksTiesByTheEarliestLine) {
  const std::vector<UserRecord> records = {record("a", apr1, 1), record("b", bcrypt4, 2)};
  EXPECT_EQ(cost_prefix(*make_dummy_hash(records)), "$apr1$");
}

TEST(DummyHash, FallsBackToTheMostCommonCheapKind) {
  const std::vector<UserRecord> records = {record("a", sha1, 1), record("p", "plain-pw", 2),
                                           record("q", "other-pw", 3)};
  EXPECT_EQ(classify_hash(*make_dummy_hash(records)), HashKind::plaintext);
}

TEST(DummyHash, IsFreshForEveryStore) {
  const std::vector<UserRecord> records = {record("a", apr1, 1)};
  EXPECT_NE(*make_dummy_hash(records), *make_dummy_hash(records)) << "random password each time";
}

TEST(MemoryStore, FixtureStoreDummyMatchesItsMostCommonEntry) {
  auto store = load_htpasswd(test::fixture_path("apache.htpasswd"), "", 1);
  ASSERT_TRUE(store.has_value());
  // apache.htpasswd: bcrypt cost 4 twice (bcrypt4, jürgen), everything else once.
  EXPECT_EQ(cost_prefix((*store)->dummy_hash()), "$2y$04$");
}

}  // namespace
}  // namespace authgate::stores
