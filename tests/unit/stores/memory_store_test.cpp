// The dummy hash: an unknown user must cost what the store's dearest user costs. Lookup by user and realm.
#include "authgate/stores/memory_store.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/password_hash.hpp"
#include "fixtures.hpp"

namespace authgate::stores {
namespace {

UserRecord record(std::string user, std::string hash, int line) {
  auto kind = classify_hash(hash);
  return UserRecord{std::move(user), std::move(hash), kind, line};
}

constexpr const char* bcrypt4 = "$2y$04$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW";
constexpr const char* bcrypt5 = "$2y$05$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS";
constexpr const char* apr1 = "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/";
constexpr const char* sha1 = "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=";

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

UserRecord in_realm(std::string user, std::string realm, std::string hash) {
  auto r = record(std::move(user), std::move(hash), 1);
  r.realm = std::move(realm);
  return r;
}

struct RealmCase {
  const char* name;
  const char* user;
  std::optional<std::string> realm;  // nullopt: find(user)
  const char* expected_hash;         // nullptr: not found
  const char* why;
};

TEST(MemoryStore, FindsByUserAndRealm) {
  // An htdigest-like store: HA1 values are only valid in their realm (RFC 7616 §3.4.2), and one
  // record valid everywhere (as htpasswd records are).
  auto store =
      make_memory_store({in_realm("alice", "admin", "ha1-admin"), in_realm("alice", "staff", "ha1-staff"),
                         in_realm("bob", "admin", "ha1-bob"), record("carol", "carol-any", 2)},
                        {}, "dummy", 1);
  const std::vector<RealmCase> cases = {
      {"realm record", "alice", "admin", "ha1-admin", "user and realm both match"},
      {"same user, other realm", "alice", "staff", "ha1-staff", "a user may have one record per realm"},
      {"realm of another record", "bob", "staff", nullptr, "bob's HA1 is only valid in admin"},
      {"realm differs in case", "alice", "Admin", nullptr, "realms are exact bytes"},
      {"user differs in case", "Alice", "admin", nullptr, "users are exact bytes"},
      {"realm record without a realm", "alice", std::nullopt, nullptr,
       "find(user) never answers a record that belongs to one realm"},
      {"realm record, empty realm", "alice", "", nullptr, "the empty realm is not a wildcard"},
      {"record for every realm", "carol", "admin", "carol-any", "a record without realm is valid in any"},
      {"record for every realm, find(user)", "carol", std::nullopt, "carol-any", "the htpasswd case"},
      {"unknown user", "dave", "admin", nullptr, "not found"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const UserRecord* found = c.realm ? store->find(c.user, *c.realm) : store->find(c.user);
    if (c.expected_hash == nullptr) {
      EXPECT_EQ(found, nullptr) << c.why;
    } else {
      ASSERT_NE(found, nullptr) << c.why;
      EXPECT_EQ(found->hash, c.expected_hash) << c.why;
    }
  }
}

TEST(MemoryStore, ARealmRecordIsPreferredToOneForEveryRealm) {
  auto store =
      make_memory_store({record("alice", "any", 1), in_realm("alice", "admin", "ha1-admin")}, {}, "dummy", 1);
  EXPECT_EQ(store->find("alice", "admin")->hash, "ha1-admin");
  EXPECT_EQ(store->find("alice", "staff")->hash, "any");
  EXPECT_EQ(store->find("alice")->hash, "any");
}

/// A store written before realms existed: it overrides only find(user).
class UserOnlyStore final : public PasswordStore {
 public:
  const UserRecord* find(std::string_view user) const noexcept override {
    return user == record_.user ? &record_ : nullptr;
  }
  std::vector<std::string> groups_of(std::string_view) const override { return {}; }
  std::string_view dummy_hash() const noexcept override { return "dummy"; }
  std::uint64_t generation() const noexcept override { return 1; }

 private:
  UserRecord record_{"alice", "hash", HashKind::sha1, 1};
};

TEST(PasswordStore, AStoreNotKeyedByRealmIgnoresTheRealm) {
  const UserOnlyStore user_only;
  const PasswordStore& store = user_only;
  EXPECT_EQ(store.find("alice", "any realm"), store.find("alice")) << "find(user, realm) is find(user)";
  EXPECT_EQ(store.find("bob", "any realm"), nullptr);
}

TEST(MemoryStore, HtpasswdRecordsAreFoundInEveryRealm) {
  auto store = load_htpasswd(test::fixture_path("apache.htpasswd"), "", 1);
  ASSERT_TRUE(store.has_value());
  for (const auto& [user, hash] : test::apache_entries()) {
    EXPECT_EQ((*store)->find(user, "some realm"), (*store)->find(user)) << user;
  }
}

TEST(MemoryStore, FixtureStoreDummyIsAnExpensiveKind) {
  auto store = load_htpasswd(test::fixture_path("apache.htpasswd"), "", 1);
  ASSERT_TRUE(store.has_value());
  EXPECT_TRUE(is_expensive(classify_hash((*store)->dummy_hash())));
}

}  // namespace
}  // namespace authgate::stores
