// The dummy hash: an unknown user must cost what the store's dearest user costs.
#include "authgate/stores/memory_store.hpp"

#include <gtest/gtest.h>

#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/password_hash.hpp"
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

TEST(DummyHash, UsesTheDearestExpensiveAlgorithmAndCost) {
  // Issue 11 F6: after a cost increase most entries are cheap; an unknown user must cost what the
  // dearest real user costs, not what the typical one does.
  const auto bcrypt9 = *hash_bcrypt("pw", 9);
  const std::vector<UserRecord> records = {record("a", bcrypt4, 1), record("b", bcrypt4, 2),
                                           record("c", bcrypt4, 3), record("d", bcrypt9, 4),
                                           record("e", sha1, 5),    record("f", sha1, 6)};
  const auto dummy = make_dummy_hash(records);
  ASSERT_TRUE(dummy.has_value());
  EXPECT_EQ(cost_prefix(*dummy), "$2y$09$") << "one cost-9 entry outweighs three cost-4 ones";
}

TEST(DummyHash, CheapEntriesNeverModelItWhileAnExpensiveOneExists) {
  const std::vector<UserRecord> records = {record("a", sha1, 1), record("b", sha1, 2),
                                           record("c", bcrypt5, 3)};
  EXPECT_EQ(cost_prefix(*make_dummy_hash(records)), "$2y$05$");
}

TEST(DummyHash, FallsBackToACheapKindWhenNoneIsExpensive) {
  const std::vector<UserRecord> records = {record("d", sha1, 1)};
  EXPECT_EQ(classify_hash(*make_dummy_hash(records)), HashKind::sha1);
}

TEST(DummyHash, IsFreshForEveryStore) {
  const std::vector<UserRecord> records = {record("a", apr1, 1)};
  EXPECT_NE(*make_dummy_hash(records), *make_dummy_hash(records)) << "random password each time";
}

TEST(MemoryStore, FixtureStoreDummyIsAnExpensiveKind) {
  auto store = load_htpasswd(test::fixture_path("apache.htpasswd"), "", 1);
  ASSERT_TRUE(store.has_value());
  EXPECT_TRUE(is_expensive(classify_hash((*store)->dummy_hash())));
}

}  // namespace
}  // namespace authgate::stores
