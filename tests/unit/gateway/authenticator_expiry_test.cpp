// The verify cache and a token's expiry: an entry lives until min(now + cache.ttl, not_after), measured
// on the request's clock (the snapshot's), so a cached Bearer token never outlives its exp.
#include <gtest/gtest.h>

#include <atomic>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint t0{std::chrono::seconds{1'700'000'000}};

// A cheap, cacheable scheme whose tokens expire at t0 + 10 s, like a JWT with that exp.
class ExpiringScheme final : public Scheme {
 public:
  std::string_view name() const noexcept override { return "Bearer"; }
  grammar::Challenge challenge(const ChallengeContext&) const override {
    return {"Bearer", std::nullopt, {}};
  }
  Work work(const grammar::Credentials&) const noexcept override { return Work::pure; }
  bool is_cacheable() const noexcept override { return true; }
  Outcome authenticate(const grammar::Credentials&, const RequestFacts& facts) const override {
    calls.fetch_add(1);
    if (facts.now >= t0 + 10s) return Rejected{Reason::token_expired, "Bearer", {}};
    return Authenticated{{"alice", {}, "Bearer", {}, {}}, t0 + 10s};
  }
  std::uint64_t generation() const noexcept override { return 1; }
  mutable std::atomic<int> calls{0};
};

struct Case {
  const char* name;
  std::chrono::milliseconds ttl;
  std::vector<std::chrono::seconds> requests;  // request times after t0
  std::vector<bool> hits;                      // cache hit per request
  int scheme_calls;
  const char* why;
};

class AuthenticatorExpiryTest : public ::testing::TestWithParam<Case> {};

TEST_P(AuthenticatorExpiryTest, CacheEntriesEndAtTheEarlierOfTtlAndExp) {
  const Case& c = GetParam();
  auto scheme = std::make_shared<ExpiringScheme>();
  stores::VerifyCache cache;
  WorkerPool pool(1, 0);  // accepts nothing: the scheme must run inline
  Authenticator auth(pool, cache, c.ttl);
  config::CompiledRealm realm{"api", scheme, nullptr, nullptr, nullptr};
  config::CompiledRoute route;
  route.realms = {&realm};
  const schemes::Presented presented{"Bearer abc.def.ghi", "Bearer"};
  for (std::size_t i = 0; i < c.requests.size(); ++i) {
    asio::io_context context;
    AuthResult result;
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          const RequestFacts facts{"GET", "/", "h", "127.0.0.1", false, t0 + c.requests[i], std::nullopt};
          result = co_await auth.authenticate(route, presented, facts);
        },
        asio::detached);
    context.run();
    EXPECT_EQ(result.cache_hit, c.hits[i]) << c.why << " (request " << i << ")";
  }
  EXPECT_EQ(scheme->calls.load(), c.scheme_calls) << c.why;
}

INSTANTIATE_TEST_SUITE_P(
    Expiry, AuthenticatorExpiryTest,
    ::testing::Values(Case{"ExpBeforeTtl",
                           5min,
                           {0s, 9s, 10s, 11s},
                           {false, true, false, false},
                           3,
                           "the entry ends at exp; after it the scheme answers (and rejects)"},
                      Case{"TtlBeforeExp",
                           3s,
                           {0s, 2s, 3s, 4s},
                           {false, true, false, true},
                           2,
                           "the entry ends at now + ttl, then a fresh verification is cached again"},
                      Case{"ZeroTtlNeverCaches", 0ms, {0s, 1s}, {false, false}, 2, "cache.ttl 0 = no cache"}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::gateway
