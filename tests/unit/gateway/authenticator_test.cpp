// The credentials step: extraction rules, the verify cache, the one hop to the worker pool, and
// single-flight ("ten requests, one hash").
#include "gateway/authn/authenticator.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;

class SlowScheme final : public Scheme {
 public:
  explicit SlowScheme(bool expensive, std::chrono::milliseconds cost = std::chrono::milliseconds(50))
      : expensive_(expensive), cost_(cost) {}
  std::string_view name() const noexcept override { return "Basic"; }
  grammar::Challenge challenge(const ChallengeContext&) const override { return {"Basic", std::nullopt, {}}; }
  Work work(const grammar::Credentials&) const noexcept override {
    return expensive_ ? Work::hashing : Work::pure;
  }
  bool is_cacheable() const noexcept override { return true; }
  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts&) const override {
    calls.fetch_add(1);
    std::this_thread::sleep_for(cost_);
    if (credentials.token68 == "YWxpY2U6cGFzcw==") return Authenticated{{"alice", {}, "Basic", {}, {}}, {}};
    return Rejected{Reason::wrong_password, "Basic", {}};
  }
  std::uint64_t generation() const noexcept override { return 7; }
  mutable std::atomic<int> calls{0};

 private:
  bool expensive_;
  std::chrono::milliseconds cost_;
};

constexpr std::string_view good = "Basic YWxpY2U6cGFzcw==";  // alice:pass

schemes::Presented presented(std::string_view field) { return {field, schemes::scheme_of(field)}; }

struct Harness {
  explicit Harness(bool expensive = true, std::size_t max_pending = 100)
      : scheme(std::make_shared<SlowScheme>(expensive)),
        pool(2, max_pending),
        auth(pool, cache, std::chrono::minutes(5)) {
    realm.name = "staff";
    realm.scheme = scheme;
    route.realms = {&realm};
  }

  /// Runs `n` concurrent authentications of `field` and returns their results.
  std::vector<AuthResult> run(int n, std::string_view field, const Authenticator::Miss* miss = nullptr) {
    asio::io_context context;
    auto guard = asio::make_work_guard(context);
    std::vector<AuthResult> results;
    int done = 0;
    for (int i = 0; i < n; ++i) {
      asio::co_spawn(
          context,
          [&]() -> asio::awaitable<void> {
            RequestFacts facts{"GET",       "/", "h", "127.0.0.1", false, std::chrono::system_clock::now(),
                               std::nullopt};
            results.push_back(co_await auth.authenticate(route, presented(field), facts, miss));
            if (++done == n) guard.reset();
          },
          asio::detached);
    }
    context.run();
    return results;
  }

  std::shared_ptr<SlowScheme> scheme;
  stores::VerifyCache cache;
  WorkerPool pool;
  Authenticator auth;
  config::CompiledRealm realm;
  config::CompiledRoute route;
};

TEST(Authenticator, TenConcurrentRequestsWithTheSameCredentialsCostOneHash) {
  Harness h;
  const auto results = h.run(10, good);
  ASSERT_EQ(results.size(), 10u);
  for (const auto& result : results) {
    ASSERT_TRUE(std::holds_alternative<Authenticated>(result.outcome));
    EXPECT_EQ(std::get<Authenticated>(result.outcome).identity->user, "alice");
    EXPECT_TRUE(result.cache_lookup);
    EXPECT_FALSE(result.cache_hit);
  }
  EXPECT_EQ(h.scheme->calls.load(), 1) << "single-flight: one verification for ten waiters";
  EXPECT_EQ(h.auth.scheme_calls(), 1u);
}

TEST(Authenticator, TheNextRequestIsACacheHitWithoutAHash) {
  Harness h;
  h.run(1, good);
  const auto again = h.run(1, good);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(again[0].outcome));
  EXPECT_TRUE(again[0].cache_hit);
  EXPECT_EQ(h.scheme->calls.load(), 1);
}

TEST(Authenticator, CachedAnswersCacheHitsOnlyWithoutVerifying) {
  Harness h;
  const RequestFacts facts{"GET",       "/", "h", "127.0.0.1", false, std::chrono::system_clock::now(),
                           std::nullopt};
  const auto fields = presented(good);
  EXPECT_FALSE(h.auth.cached(h.route, fields, facts).has_value()) << "never verified: authenticate()";
  h.run(1, good);
  const auto hit = h.auth.cached(h.route, fields, facts);
  ASSERT_TRUE(hit.has_value());
  ASSERT_TRUE(std::holds_alternative<Authenticated>(hit->outcome));
  EXPECT_TRUE(hit->cache_hit);

  EXPECT_EQ(h.scheme->calls.load(), 1);
}

TEST(Authenticator, AMissFromCachedIsHandedOnSoTheCredentialsAreHashedOnce) {
  Harness h(false);
  const auto now = std::chrono::system_clock::now();
  const RequestFacts facts{"GET", "/", "h", "127.0.0.1", false, now, std::nullopt};
  const auto fields = presented(good);
  Authenticator::Miss miss;
  ASSERT_FALSE(h.auth.cached(h.route, fields, facts, &miss).has_value());
  ASSERT_EQ(miss.realm, &h.realm) << "cached() says which realm it looked in";

  // authenticate() takes the key as it is (no second HMAC, no second search): proven by handing it
  // a key cached() could not have made, under which the verification is then stored.
  Authenticator::Miss forged = miss;
  forged.key.fill(0xAB);
  const auto judged = h.run(1, good, &forged);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(judged[0].outcome));
  EXPECT_TRUE(judged[0].cache_lookup) << "cached() looked, so the record says the cache was consulted";
  EXPECT_FALSE(judged[0].cache_hit);
  EXPECT_NE(h.cache.find(forged.key, h.scheme->generation(), now), nullptr);
  EXPECT_FALSE(h.auth.cached(h.route, fields, facts).has_value());

  // With the real miss, the next request is a hit.
  h.run(1, good, &miss);
  EXPECT_TRUE(h.auth.cached(h.route, fields, facts).has_value());
  EXPECT_EQ(h.scheme->calls.load(), 2);
}

TEST(Authenticator, AMissForAnotherRealmIsIgnored) {
  Harness h(false);
  config::CompiledRealm other;
  Authenticator::Miss elsewhere{&other, {}};
  elsewhere.key.fill(0xCD);
  const auto judged = h.run(1, good, &elsewhere);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(judged[0].outcome));
  const RequestFacts facts{"GET",       "/", "h", "127.0.0.1", false, std::chrono::system_clock::now(),
                           std::nullopt};
  EXPECT_TRUE(h.auth.cached(h.route, presented(good), facts).has_value())
      << "this realm computed its own key";
  EXPECT_EQ(h.cache.find(elsewhere.key, h.scheme->generation(), facts.now), nullptr);
}

TEST(Authenticator, WithAMemoTheNextSameCredentialsSkipTheSharedCache) {
  Harness h(false);
  const auto now = std::chrono::system_clock::now();
  const RequestFacts facts{"GET", "/", "h", "127.0.0.1", false, now, std::nullopt};
  const auto snapshot = std::make_shared<config::Snapshot>();
  CredentialMemo memo;
  h.run(1, good);  // verified and cached
  ASSERT_TRUE(h.auth.cached(h.route, presented(good), facts, nullptr, memo.under(snapshot)).has_value());
  EXPECT_EQ(h.cache.stats().hits, 1u) << "the first answer is the shared cache's";
  for (int i = 0; i < 3; ++i) {
    const auto hit = h.auth.cached(h.route, presented(good), facts, nullptr, memo.under(snapshot));
    ASSERT_TRUE(hit.has_value());
    ASSERT_TRUE(std::holds_alternative<Authenticated>(hit->outcome));
    EXPECT_EQ(std::get<Authenticated>(hit->outcome).identity->user, "alice");
    EXPECT_TRUE(hit->cache_hit) << "answered from the memo, which is the cache's answer";
    EXPECT_EQ(hit->realm, &h.realm);
  }
  EXPECT_EQ(h.cache.stats().hits, 1u) << "the memo answered, the shared cache was not searched";
  EXPECT_EQ(h.scheme->calls.load(), 1);
}

TEST(Authenticator, AMemoNeverOutlivesTheCacheEntryItCameFrom) {
  Harness h(false);  // cache ttl 5 minutes
  const auto now = std::chrono::system_clock::now();
  const auto snapshot = std::make_shared<config::Snapshot>();
  CredentialMemo memo;
  h.run(1, good);
  const RequestFacts soon{"GET", "/", "h", "127.0.0.1", false, now + std::chrono::minutes(1), std::nullopt};
  ASSERT_TRUE(h.auth.cached(h.route, presented(good), soon, nullptr, memo.under(snapshot)).has_value());
  const RequestFacts late{"GET", "/", "h", "127.0.0.1", false, now + std::chrono::minutes(6), std::nullopt};
  Authenticator::Miss miss;
  EXPECT_FALSE(h.auth.cached(h.route, presented(good), late, &miss, memo.under(snapshot)).has_value());
  EXPECT_EQ(miss.realm, &h.realm) << "then the cache was asked, and it had dropped the entry too";
}

TEST(Authenticator, AMemoOfOneUserNeverAnswersForAnother) {
  Harness h(false);
  const RequestFacts facts{"GET",       "/", "h", "127.0.0.1", false, std::chrono::system_clock::now(),
                           std::nullopt};
  const auto snapshot = std::make_shared<config::Snapshot>();
  CredentialMemo memo;
  h.run(1, good);
  ASSERT_TRUE(h.auth.cached(h.route, presented(good), facts, nullptr, memo.under(snapshot)).has_value());
  constexpr std::string_view wrong = "Basic YWxpY2U6cGFzcx==";  // same length, one byte off
  EXPECT_FALSE(h.auth.cached(h.route, presented(wrong), facts, nullptr, memo.under(snapshot)).has_value());
  EXPECT_TRUE(h.auth.cached(h.route, presented(good), facts, nullptr, memo.under(snapshot)).has_value());
}

TEST(Authenticator, RejectionsAreNotCached) {
  Harness h;
  h.run(1, "Basic YWxpY2U6d3Jvbmc=");
  const auto again = h.run(1, "Basic YWxpY2U6d3Jvbmc=");
  ASSERT_TRUE(std::holds_alternative<Rejected>(again[0].outcome));
  EXPECT_FALSE(again[0].cache_hit);
  EXPECT_EQ(h.scheme->calls.load(), 2);
}

TEST(Authenticator, AFullQueueAnswersOverloadedInsteadOfWaiting) {
  Harness h{true, 0};
  const auto results = h.run(1, good);
  ASSERT_TRUE(std::holds_alternative<Unavailable>(results[0].outcome));
  EXPECT_EQ(std::get<Unavailable>(results[0].outcome).reason, Reason::overloaded);
  EXPECT_EQ(h.scheme->calls.load(), 0);
}

TEST(Authenticator, CheapSchemesRunInlineAndStillUseTheCache) {
  Harness h{false, 0};  // a pool that accepts nothing: proof that no hop happens
  const auto first = h.run(1, good);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(first[0].outcome));
  const auto second = h.run(1, good);
  EXPECT_TRUE(second[0].cache_hit);
  EXPECT_EQ(h.scheme->calls.load(), 1);
}

// A scheme that must wait (an introspection call, a key refetch): it answers from another thread, later.
class WaitingScheme final : public Scheme {
 public:
  std::string_view name() const noexcept override { return "Bearer"; }
  grammar::Challenge challenge(const ChallengeContext&) const override {
    return {"Bearer", std::nullopt, {}};
  }
  Work work(const grammar::Credentials&) const noexcept override { return Work::waits; }
  bool is_cacheable() const noexcept override { return true; }
  Outcome authenticate(const grammar::Credentials&, const RequestFacts&) const override {
    ADD_FAILURE() << "a waiting scheme is never run synchronously by the gateway";
    return Unavailable{Reason::internal_error};
  }
  void authenticate_async(const grammar::Credentials& credentials, const RequestFacts&,
                          const asio::any_io_executor&, Completion done) const override {
    ++calls;
    const bool active = credentials.token68 == "opaque-1";
    std::thread([done = std::move(done), active] {
      std::this_thread::sleep_for(std::chrono::milliseconds(30));
      if (active) return done(Authenticated{Identity{"dana", {}, "Bearer", {}, {}}});
      done(Rejected{Reason::token_inactive, "Bearer", {}});
    }).detach();
  }
  std::uint64_t generation() const noexcept override { return 3; }
  mutable std::atomic<int> calls{0};
};

TEST(Authenticator, AWaitingSchemeIsAwaitedOffThePoolWithOneCallForConcurrentRequests) {
  Harness h{true, 0};  // a pool that accepts nothing: proof that waiting never takes a pool slot
  auto waiting = std::make_shared<WaitingScheme>();
  h.realm.scheme = waiting;
  const auto results = h.run(20, "Bearer opaque-1");
  ASSERT_EQ(results.size(), 20u);
  for (const auto& result : results) {
    ASSERT_TRUE(std::holds_alternative<Authenticated>(result.outcome));
    EXPECT_EQ(std::get<Authenticated>(result.outcome).identity->user, "dana");
  }
  EXPECT_EQ(waiting->calls.load(), 1) << "single-flight: one call for twenty waiters";
  const auto again = h.run(1, "Bearer opaque-1");
  EXPECT_TRUE(again[0].cache_hit) << "the awaited answer is cached like any other";
  const auto refused = h.run(3, "Bearer opaque-2");
  EXPECT_TRUE(std::holds_alternative<Rejected>(refused[0].outcome));
  EXPECT_EQ(waiting->calls.load(), 2);
}

struct VerifyCase {
  const char* name;
  std::string_view field;
  std::size_t outcome_index;  // index into Outcome
  Reason reason;
  const char* why;
};

class Verification : public ::testing::TestWithParam<VerifyCase> {};

TEST_P(Verification, TurnsThePresentedCredentialsIntoAnOutcome) {
  const auto& c = GetParam();
  Harness h;
  const auto results = h.run(1, c.field);
  EXPECT_EQ(results[0].outcome.index(), c.outcome_index) << c.why;
  std::visit(
      [&](const auto& o) {
        if constexpr (requires { o.reason; }) {
          EXPECT_EQ(o.reason, c.reason) << c.why;
        }
      },
      results[0].outcome);
  EXPECT_EQ(h.scheme->calls.load(), 0) << "no hash for any of these";
}

// Counting fields and token locations is extraction's job (judge_test.cpp, extraction_test.cpp).
const VerifyCase verify_cases[] = {
    {"garbage", "Basic a b c", 3, Reason::malformed_header, "does not parse → 400"},
    {"empty", "", 3, Reason::malformed_header, "an empty field is not credentials"},
    {"other_scheme", "Bearer abc", 2, Reason::scheme_not_accepted, "the route has no Bearer realm → 401"},
};

INSTANTIATE_TEST_SUITE_P(Table, Verification, ::testing::ValuesIn(verify_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

}  // namespace
}  // namespace authgate::gateway
