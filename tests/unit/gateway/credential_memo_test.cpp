// The connection's memo of its last cached credentials: recalled only for the same bytes in the same realm,
// while the generation, the expiry and the config snapshot still hold (its comparison: same_bytes_test).
#include "gateway/authn/credential_memo.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view alice_field = "Basic YWxpY2U6cGFzcw==";

struct MemoHarness {
  MemoHarness() {
    realm.name = "staff";
    other_realm.name = "admins";
  }
  std::shared_ptr<const config::Snapshot> snapshot = std::make_shared<config::Snapshot>();
  config::CompiledRealm realm;
  config::CompiledRealm other_realm;
  std::shared_ptr<const Identity> alice =
      std::make_shared<const Identity>(Identity{"alice", {}, "Basic", {}, {}});
  CredentialMemo::TimePoint now = std::chrono::system_clock::now();
  CredentialMemo memo;

  CredentialMemo& filled() {
    memo.under(snapshot)->remember(realm, alice_field, 7, now + 5min, alice);
    return memo;
  }
};

TEST(CredentialMemo, TheSameBytesInTheSameRealmAreRecalled) {
  MemoHarness h;
  auto& memo = h.filled();
  EXPECT_EQ(memo.under(h.snapshot)->recall(h.realm, alice_field, 7, h.now), h.alice);
  EXPECT_EQ(memo.recall(h.realm, std::string(alice_field), 7, h.now + 4min), h.alice) << "another buffer";
}

TEST(CredentialMemo, OtherBytesOrAnotherRealmAreNotRecalled) {
  MemoHarness h;
  auto& memo = h.filled();
  EXPECT_EQ(memo.recall(h.realm, "Basic YWxpY2U6cGFzcx==", 7, h.now), nullptr) << "one byte differs";
  EXPECT_EQ(memo.recall(h.realm, "Basic YWxpY2U6cGFzcw=", 7, h.now), nullptr) << "a prefix";
  EXPECT_EQ(memo.recall(h.realm, "Basic YWxpY2U6cGFzcw==x", 7, h.now), nullptr) << "longer";
  EXPECT_EQ(memo.recall(h.realm, "basic YWxpY2U6cGFzcw==", 7, h.now), nullptr) << "other bytes, same meaning";
  EXPECT_EQ(memo.recall(h.other_realm, alice_field, 7, h.now), nullptr) << "another realm";
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now), h.alice) << "a miss forgets nothing";
}

TEST(CredentialMemo, AnotherGenerationForgetsIt) {
  MemoHarness h;
  auto& memo = h.filled();
  EXPECT_EQ(memo.recall(h.realm, alice_field, 8, h.now), nullptr);
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now), nullptr) << "forgotten, not merely skipped";
}

TEST(CredentialMemo, TheCacheEntrysExpiryForgetsIt) {
  MemoHarness h;
  auto& memo = h.filled();
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now + 5min - 1ns), h.alice);
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now + 5min), nullptr) << "at the expiry, as the cache";
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now), nullptr) << "forgotten";
}

TEST(CredentialMemo, AnotherSnapshotForgetsItEvenForTheSameRealmObject) {
  // A reload builds new realms; one could land at a freed realm's address. The memo is emptied when the
  // snapshot changes, so the address alone never answers.
  MemoHarness h;
  auto& memo = h.filled();
  const auto reloaded = std::make_shared<config::Snapshot>();
  EXPECT_EQ(memo.under(reloaded)->recall(h.realm, alice_field, 7, h.now), nullptr);
  EXPECT_EQ(memo.under(h.snapshot)->recall(h.realm, alice_field, 7, h.now), nullptr) << "and stays empty";
}

TEST(CredentialMemo, TheSameSnapshotKeepsIt) {
  MemoHarness h;
  auto& memo = h.filled();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(memo.under(h.snapshot)->recall(h.realm, alice_field, 7, h.now), h.alice);
}

TEST(CredentialMemo, ASnapshotFreedMeanwhileIsStillAnotherSnapshot) {
  MemoHarness h;
  auto& memo = h.filled();
  h.snapshot.reset();  // the connection's weak reference keeps its control block, so no new one shares it
  const auto next = std::make_shared<config::Snapshot>();
  EXPECT_EQ(memo.under(next)->recall(h.realm, alice_field, 7, h.now), nullptr);
}

TEST(CredentialMemo, RememberingReplacesAndForgettingDropsTheIdentity) {
  MemoHarness h;
  auto& memo = h.filled();
  EXPECT_EQ(h.alice.use_count(), 2);
  const auto bob = std::make_shared<const Identity>(Identity{"bob", {}, "Basic", {}, {}});
  memo.remember(h.realm, "Basic Ym9iOnB3", 7, h.now + 1min, bob);
  EXPECT_EQ(h.alice.use_count(), 1) << "alice's entry replaced";
  EXPECT_EQ(memo.recall(h.realm, alice_field, 7, h.now), nullptr);
  EXPECT_EQ(memo.recall(h.realm, "Basic Ym9iOnB3", 7, h.now), bob);
  memo.forget();
  EXPECT_EQ(bob.use_count(), 1);
  EXPECT_EQ(memo.recall(h.realm, "Basic Ym9iOnB3", 7, h.now), nullptr);
}

TEST(CredentialMemo, CredentialsBeyondTheLimitOrEmptyAreNotRemembered) {
  MemoHarness h;
  const std::string huge = "Bearer " + std::string(CredentialMemo::max_bytes, 'a');
  h.memo.under(h.snapshot)->remember(h.realm, huge, 7, h.now + 1min, h.alice);
  EXPECT_EQ(h.memo.recall(h.realm, huge, 7, h.now), nullptr);
  h.memo.remember(h.realm, "", 7, h.now + 1min, h.alice);
  EXPECT_EQ(h.memo.recall(h.realm, "", 7, h.now), nullptr);
  EXPECT_EQ(h.alice.use_count(), 1);
  const std::string largest = "Bearer " + std::string(CredentialMemo::max_bytes - 7, 'a');
  h.memo.remember(h.realm, largest, 7, h.now + 1min, h.alice);
  EXPECT_EQ(h.memo.recall(h.realm, largest, 7, h.now), h.alice);
}

}  // namespace
}  // namespace authgate::gateway
