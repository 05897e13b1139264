// Brute-force throttling through the judge (docs/throttling.md): failures counted per claimed user name
// and per client address, a ban answered 429 + Retry-After before anything is verified — not even the
// verify cache — and known and unknown users counted alike.
#include "gateway/authn/throttle.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "authgate/schemes/basic.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// alice:secret and bob:secret ({SHA}: verified inline, so the counts are exact and immediate).
constexpr const char* alice_right = "Basic YWxpY2U6c2VjcmV0";
constexpr const char* alice_wrong = "Basic YWxpY2U6d3Jvbmc=";
constexpr const char* bob_right = "Basic Ym9iOnNlY3JldA==";
constexpr const char* bob_wrong = "Basic Ym9iOndyb25n";
constexpr const char* nobody_wrong = "Basic bm9ib2R5Ondyb25n";  // nobody:wrong, an unknown user

struct World {
  explicit World(config::Throttle limits) : throttle(limits) {
    auto store = stores::parse_htpasswd(
        "alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\nbob:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", "users", "",
        "groups", 1);
    basic.scheme = schemes::make_basic_scheme({"staff", true, {}}, *store);
    basic.name = "staff";
    route.realms = {&basic};
    route.schemes = {basic.scheme.get()};
    route.throttle = &throttle;
    route.state = state.get();
  }

  Verdict judge(std::string_view field, std::string_view address = "192.0.2.1") {
    std::vector<std::string_view> fields{field};
    RequestView view{{"GET", "/x", "h", address, false, std::chrono::system_clock::now(), std::nullopt},
                     {fields, std::nullopt, std::nullopt}};
    Verdict verdict;
    asio::io_context io;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          verdict = co_await judge_.judge(route, view, policy::Side::origin);
        },
        asio::detached);
    io.run();
    return verdict;
  }

  config::Throttle throttle;
  std::shared_ptr<stores::StateStore> state =
      stores::make_memory_state_store(std::make_shared<SystemClock>());
  config::CompiledRealm basic;
  config::CompiledRoute route;
  WorkerPool pool{1, 10};
  stores::VerifyCache cache;
  Authenticator authenticator{pool, cache, std::chrono::minutes(1)};
  Judge judge_{authenticator};
};

config::Throttle limits(std::uint32_t users, std::uint32_t addresses) {
  config::Throttle t;
  t.users = {users, 1min, 10min};
  t.addresses = {addresses, 1min, 5min};
  return t;
}

TEST(Throttle, AUserNameIsBannedAfterItsLimitWithoutVerifyingTheRightPassword) {
  World w{limits(3, 0)};
  for (int i = 0; i < 3; ++i) EXPECT_EQ(w.judge(alice_wrong).decision.status, 401) << i;
  const auto banned = w.judge(alice_right);  // right, but the name is banned: nothing is verified
  EXPECT_EQ(banned.decision.status, 429);
  EXPECT_EQ(banned.decision.reason, Reason::rate_limited);
  EXPECT_EQ(banned.throttled_by, "user");
  EXPECT_EQ(banned.claimed_user, "alice");
  EXPECT_GE(banned.decision.retry_after, 599s);
  EXPECT_LE(banned.decision.retry_after, 600s);
  EXPECT_EQ(w.judge(bob_right).decision.status, 200);  // another user is served
}

TEST(Throttle, TheCacheDoesNotAnswerABannedName) {
  // Why: a cached right answer during a ban would tell a guesser at full speed which guess was right.
  World w{limits(2, 0)};
  EXPECT_EQ(w.judge(alice_right).decision.status, 200);  // now in the verify cache
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  EXPECT_EQ(w.judge(alice_right).decision.status, 429);
}

TEST(Throttle, UnknownUsersAreCountedLikeKnownOnes) {
  World w{limits(2, 0)};
  EXPECT_EQ(w.judge(nobody_wrong).decision.status, 401);
  EXPECT_EQ(w.judge(nobody_wrong).decision.status, 401);
  const auto banned = w.judge(nobody_wrong);
  EXPECT_EQ(banned.decision.status, 429);  // throttling says nothing about which names exist
  EXPECT_EQ(banned.claimed_user, "nobody");
}

TEST(Throttle, AnAddressIsBannedForGuessingManyNamesWhileOthersAreServed) {
  World w{limits(0, 3)};
  EXPECT_EQ(w.judge(alice_wrong, "198.51.100.7").decision.status, 401);
  EXPECT_EQ(w.judge(bob_wrong, "198.51.100.7").decision.status, 401);
  EXPECT_EQ(w.judge(nobody_wrong, "198.51.100.7").decision.status, 401);
  const auto banned = w.judge(alice_right, "198.51.100.7");
  EXPECT_EQ(banned.decision.status, 429);
  EXPECT_EQ(banned.throttled_by, "address");
  EXPECT_EQ(w.judge(alice_right, "198.51.100.8").decision.status, 200);  // alice from elsewhere
}

TEST(Throttle, AnIpv6ClientCountsAsItsSlash64) {
  World w{limits(0, 2)};
  EXPECT_EQ(w.judge(alice_wrong, "2001:db8:1:2::1").decision.status, 401);
  EXPECT_EQ(w.judge(bob_wrong, "2001:db8:1:2:ffff::9").decision.status, 401);  // same /64
  EXPECT_EQ(w.judge(alice_right, "2001:db8:1:2::77").decision.status, 429);
  EXPECT_EQ(w.judge(alice_right, "2001:db8:1:3::1").decision.status, 200);  // the next /64
}

TEST(Throttle, ASuccessForgetsTheNamesFailuresButNotTheAddresss) {
  World w{limits(3, 4)};
  const std::string_view guesser = "203.0.113.9";
  EXPECT_EQ(w.judge(alice_wrong, guesser).decision.status, 401);
  EXPECT_EQ(w.judge(alice_wrong, guesser).decision.status, 401);
  EXPECT_EQ(w.judge(alice_right, "203.0.113.10").decision.status, 200);  // alice herself, elsewhere
  EXPECT_EQ(w.judge(alice_wrong, guesser).decision.status, 401);         // alice's count starts again…
  EXPECT_EQ(w.judge(bob_wrong, guesser).decision.status, 401);           // …the guesser's does not: 4
  EXPECT_EQ(w.judge(bob_right, guesser).decision.status, 429);
}

TEST(Throttle, GuessesSentAtOnceAreHeldToTheLimit) {
  // Why: every guess in flight passed the ban check before the first failure was counted, so thirty
  // guesses sent at once were thirty hashes whatever the limit (found by test_throttle.py).
  World w{limits(3, 0)};
  const RequestFacts facts{"GET",       "/", "h", "192.0.2.9", false, std::chrono::system_clock::now(),
                           std::nullopt};
  const schemes::Presented presented{alice_wrong, "Basic", schemes::CredentialSource::field};
  const auto subject = throttle_subject(w.route, presented, facts);
  ThrottleReservation first, second, again, third, fourth, fifth;
  EXPECT_FALSE(reserve_attempt(w.route, subject, "Basic guess-1", first));
  EXPECT_FALSE(reserve_attempt(w.route, subject, "Basic guess-2", second));
  EXPECT_FALSE(reserve_attempt(w.route, subject, "Basic guess-1", again));  // the same guess twice: once
  EXPECT_FALSE(reserve_attempt(w.route, subject, "Basic guess-3", third));  // three in flight: the limit
  const auto refused = reserve_attempt(w.route, subject, "Basic guess-4", fourth);
  ASSERT_TRUE(refused.has_value());  // a fourth could only be a fourth failure
  EXPECT_EQ(refused->by, "user");
  EXPECT_EQ(refused->outcome.retry_after, std::chrono::seconds{1});
  for (auto* held : {&first, &second, &again, &third}) held->release();
  EXPECT_FALSE(reserve_attempt(w.route, subject, "Basic guess-5", fifth));  // nothing in flight now
}

TEST(Throttle, OnlyGuessesCount) {
  EXPECT_TRUE(counts_as_failure(Rejected{Reason::wrong_password, "Basic", {}}));
  EXPECT_TRUE(counts_as_failure(Rejected{Reason::unknown_user, "Digest", {}}));
  EXPECT_TRUE(counts_as_failure(Rejected{Reason::bad_signature, "Bearer", {}}));
  EXPECT_FALSE(
      counts_as_failure(Rejected{Reason::token_expired, "Bearer", {}}));         // a client that must refresh
  EXPECT_FALSE(counts_as_failure(Rejected{Reason::stale_nonce, "Digest", {}}));  // Digest's normal flow
  EXPECT_FALSE(counts_as_failure(NoCredentials{}));                              // every login starts so
  EXPECT_FALSE(counts_as_failure(Malformed{Reason::malformed_header, "", {}}));
}

}  // namespace
}  // namespace authgate::gateway
