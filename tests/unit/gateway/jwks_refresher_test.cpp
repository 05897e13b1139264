// The JWKS refresher against a local fake IdP (tests/integration/harness/idp.py): first fetch, OpenID
// Connect discovery and its issuer check, failures keep the last good set, unknown-kid refetches are
// rate-limited, Cache-Control max-age, and reload without a 503 gap.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>

#include "fake_idp.hpp"
#include "gateway/keys/jwks_fetch.hpp"
#include "gateway/keys/jwks_refresher.hpp"
#include "gateway/ops/metrics.hpp"
#include "jose_signer.hpp"
#include "net/http_fetch.hpp"

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;

test::FakeIdp& idp() {
  static test::FakeIdp server;
  return server;
}

std::string post(const std::string& path, const std::string& body) {
  const auto client = *net::HttpClient::create();
  const auto r = client->fetch({idp().http_url() + path, true, body, {}}, {});
  return r ? r->body : std::string();
}

void set_state(const std::string& json) { ASSERT_EQ(post("/_control/set", json), R"({"ok": true})"); }

int fetches(const std::string& path) {
  const auto client = *net::HttpClient::create();
  const auto r = client->fetch({idp().http_url() + "/_control/stats", false, {}, {}}, {});
  const auto stats = boost::json::parse(r->body).as_object();
  const auto* count = stats.at("counts").as_object().if_contains(path);
  return count ? static_cast<int>(count->as_int64()) : 0;
}

std::string jwks(std::string_view kid) {
  return R"({"keys":[)" + test::public_jwk(test::test_keys().p256.get(), kid) + "]}";
}

/// A snapshot with one remote-key realm, as compile() makes it.
struct RemoteSnapshot {
  explicit RemoteSnapshot(config::RemoteKeys keys) : remote(std::move(keys)) {
    auto& realm = snapshot.realms.emplace_back();
    realm.name = "api";
    realm.live_keys = std::make_shared<jose::LiveKeySet>();
    realm.refetch = std::make_shared<schemes::KeyRefetchSlot>();
    realm.remote = &remote;
  }
  jose::LiveKeySet& live() const { return *snapshot.realms.front().live_keys; }
  /// What a token with an unknown kid does: ask the attached refresher for a refetch.
  void request_refresh(std::function<void()> done = {}) const {
    snapshot.realms.front().refetch->get()->refetch(std::move(done));
  }
  std::shared_ptr<schemes::KeyRefetch> refetch() const { return snapshot.realms.front().refetch->get(); }
  config::RemoteKeys remote;
  config::Snapshot snapshot;
};

config::RemoteKeys https_jwks(std::chrono::milliseconds min_refresh = 30s) {
  config::RemoteKeys keys;
  keys.jwks_url = idp().https_url() + "/jwks";
  keys.ca_file = idp().ca_file();
  keys.min_refresh_interval = min_refresh;
  keys.refresh_interval = 1h;
  keys.timeout = 2s;
  return keys;
}

struct Fixture {
  boost::asio::io_context io;
  Metrics metrics{"test"};
  JwksRefresher refresher{io.get_executor(), &metrics};
  ~Fixture() {
    refresher.stop();
    io.run_for(50ms);
  }
  /// Runs until `done` or `limit`.
  template <class Predicate>
  bool run_until(Predicate done, std::chrono::milliseconds limit = 5s) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) io.run_for(20ms);
    return done();
  }
  std::string rendered() const { return metrics.render_prometheus(); }
};

TEST(JwksRefresher, TheFirstFetchFillsTheKeySetAndIsCounted) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks()};
  EXPECT_EQ(s.live().current(), nullptr) << "nothing before the first fetch: the realm answers 503";
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  EXPECT_NE(s.live().current()->find("k1"), nullptr);
  EXPECT_NE(f.rendered().find("authgate_jwks_fetch_total{realm=\"api\",result=\"ok\"} 1\n"),
            std::string::npos);
  EXPECT_NE(f.rendered().find("authgate_jwks_keys{realm=\"api\"} 1\n"), std::string::npos);
}

TEST(JwksRefresher, DiscoveryFindsTheJwksUri) {
  set_state(R"({"issuer":null,"jwks_uri":null,"jwks_status":200,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  config::RemoteKeys keys = https_jwks();
  keys.jwks_url.clear();
  keys.discovery_issuer = idp().https_url();
  RemoteSnapshot s{keys};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
}

config::RemoteKeys https_oidc(std::chrono::milliseconds min_refresh) {
  config::RemoteKeys keys = https_jwks(min_refresh);
  keys.jwks_url.clear();
  keys.discovery_issuer = idp().https_url();
  return keys;
}

constexpr auto discovery = "/.well-known/openid-configuration";

TEST(JwksRefresher, TheDiscoveredJwksUriIsRememberedAcrossRefreshes) {
  set_state(R"({"issuer":null,"jwks_uri":null,"jwks_gone":[],"jwks_status":200,"cache_control":"max-age=0",)"
            R"("jwks":)" +
            jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_oidc(300ms)};
  const int jwks_before = fetches("/jwks"), discovery_before = fetches(discovery);
  f.refresher.apply(s.snapshot);
  f.run_until([] { return false; }, 1400ms);
  EXPECT_GE(fetches("/jwks") - jwks_before, 3) << "max-age=0: the keys every 300 ms";
  EXPECT_EQ(fetches(discovery) - discovery_before, 1) << "discovery once, not on every refresh";
  set_state(R"({"cache_control":null})");
}

TEST(JwksRefresher, AJwksUriThatMovedIsRediscoveredAndFollowedInTheSameRefresh) {
  set_state(R"({"issuer":null,"jwks_uri":null,"jwks_gone":[],"jwks_status":200,"cache_control":null,)"
            R"("jwks":)" +
            jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_oidc(100ms)};
  const int discovery_before = fetches(discovery);
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  set_state(R"({"jwks_uri":")" + idp().https_url() + R"(/jwks2","jwks_gone":["/jwks"],"jwks":)" + jwks("k2") +
            "}");
  s.request_refresh();  // a token with the new kid
  ASSERT_TRUE(f.run_until([&] { return s.live().current()->find("k2") != nullptr; }));
  EXPECT_EQ(fetches(discovery) - discovery_before, 2);
  EXPECT_NE(f.rendered().find("authgate_jwks_fetch_total{realm=\"api\",result=\"error\"} 0\n"),
            std::string::npos)
      << "the move cost no failed refresh\n"
      << f.rendered();
  set_state(R"({"jwks_uri":null,"jwks_gone":[]})");
}

struct LifetimeCase {
  const char* name;
  std::optional<std::chrono::seconds> max_age;
  std::chrono::seconds refresh_interval;
  std::chrono::seconds expected;
  const char* why;
};

const LifetimeCase lifetime_cases[] = {
    {"NoMaxAgeIsADay", std::nullopt, 300s, 24h, "issuers rarely move their keys"},
    {"LongMaxAgeIsHonoured", 7200s, 300s, 7200s, "the issuer says how long the document holds"},
    {"MaxAgeAboveADayIsCapped", 604800s, 300s, 24h, "a moved jwks_uri must be noticed eventually"},
    {"MaxAgeBelowTheRefreshIntervalIsRaised", 60s, 300s, 300s, "no discovery more often than keys"},
    {"NoStoreMeansEveryRefresh", 0s, 300s, 300s, "max-age=0: ask on every refresh"},
};

class DiscoveryLifetime : public testing::TestWithParam<LifetimeCase> {};

TEST_P(DiscoveryLifetime, IsMaxAgeBetweenTheRefreshIntervalAndADay) {
  const auto& c = GetParam();
  EXPECT_EQ(discovery_lifetime(c.max_age, c.refresh_interval), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(JwksFetch, DiscoveryLifetime, testing::ValuesIn(lifetime_cases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(JwksRefresher, ADiscoveryDocumentOfAnotherIssuerIsRefused) {
  // OpenID Connect Discovery §4.3: otherwise one issuer could serve keys for another.
  set_state(R"({"issuer":"https://evil.example","jwks_status":200,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  config::RemoteKeys keys = https_jwks();
  keys.jwks_url.clear();
  keys.discovery_issuer = idp().https_url();
  RemoteSnapshot s{keys};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return f.rendered().find("result=\"error\"} 1\n") != std::string::npos; }));
  EXPECT_EQ(s.live().current(), nullptr);
  set_state(R"({"issuer":null})");
}

TEST(JwksRefresher, AFailedRefreshKeepsTheLastGoodSet) {
  set_state(R"({"jwks_status":200,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks(100ms)};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  const auto good = s.live().current();
  set_state(R"({"jwks_status":500})");
  s.request_refresh();
  ASSERT_TRUE(f.run_until([&] { return f.rendered().find("result=\"error\"} 1\n") != std::string::npos; }));
  EXPECT_EQ(s.live().current(), good) << "a broken IdP must not take the keys away";
  set_state(R"({"jwks":{"keys":[]},"jwks_status":200})");
  s.request_refresh();
  ASSERT_TRUE(f.run_until([&] { return f.rendered().find("result=\"error\"} 2\n") != std::string::npos; }));
  EXPECT_EQ(s.live().current(), good) << "an empty set is a failure too";
}

TEST(JwksRefresher, UnknownKidRefetchesAreLimitedToOnePerMinInterval) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks(1000ms)};
  const int before = fetches("/jwks");
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  set_state(R"({"jwks":)" + jwks("k2") + "}");
  for (int i = 0; i < 100; ++i) s.request_refresh();  // a flood of tokens with unknown kids
  f.run_until([] { return false; }, 500ms);
  EXPECT_EQ(fetches("/jwks") - before, 1) << "within min_refresh_interval of the first fetch: no refetch yet";
  ASSERT_TRUE(f.run_until([&] { return s.live().current()->find("k2") != nullptr; }, 3s));
  EXPECT_EQ(fetches("/jwks") - before, 2) << "one refetch for a hundred requests";
}

TEST(JwksRefresher, AParkedRequestIsAnsweredWhenItsRefetchEndsWithTheNewSetInForce) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks(100ms)};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  ASSERT_NE(s.refetch(), nullptr) << "the refresher attached itself to the realm's slot";
  f.run_until([] { return false; }, 150ms);  // past min_refresh_interval
  EXPECT_TRUE(s.refetch()->available());
  set_state(R"({"jwks":)" + jwks("k2") + "}");
  bool answered = false;
  bool had_k2 = false;
  s.request_refresh([&] {
    answered = true;
    had_k2 = s.live().current()->find("k2") != nullptr;
  });
  ASSERT_TRUE(f.run_until([&] { return answered; }));
  EXPECT_TRUE(had_k2) << "called back after the new set was installed, never before";
}

TEST(JwksRefresher, AParkedRequestWaitsAtMostRefetchWait) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  auto keys = https_jwks(30s);  // no refetch for 30 s after the first fetch
  keys.refetch_wait = 200ms;
  RemoteSnapshot s{keys};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  EXPECT_FALSE(s.refetch()->available()) << "rate-limited: a scheme would not wait";
  bool answered = false;
  const auto start = std::chrono::steady_clock::now();
  s.request_refresh([&] { answered = true; });
  ASSERT_TRUE(f.run_until([&] { return answered; }, 2s));
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, 150ms);
  EXPECT_LT(waited, 1500ms) << "released by refetch_wait, not by the next fetch 30 s later";
}

TEST(JwksRefresher, StoppingReleasesParkedRequestsAndDetachesFromTheSlots) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  auto f = std::make_unique<Fixture>();
  RemoteSnapshot s{https_jwks(30s)};
  f->refresher.apply(s.snapshot);
  ASSERT_TRUE(f->run_until([&] { return s.live().current() != nullptr; }));
  bool answered = false;
  s.request_refresh([&] { answered = true; });
  f->run_until([] { return false; }, 50ms);
  EXPECT_FALSE(answered);
  f->refresher.stop();
  EXPECT_TRUE(answered) << "nobody will fetch: the request goes on with the keys it has";
  EXPECT_EQ(s.refetch(), nullptr);
}

TEST(JwksRefresher, UnknownKidsDoNotShortenTheBackoffAfterAFailure) {
  set_state(R"({"jwks_status":200,"cache_control":null,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks(100ms)};
  f.refresher.apply(s.snapshot);
  ASSERT_TRUE(f.run_until([&] { return s.live().current() != nullptr; }));
  f.run_until([] { return false; }, 150ms);
  set_state(R"({"jwks_status":500})");
  s.request_refresh();
  ASSERT_TRUE(f.run_until([&] { return f.rendered().find("result=\"error\"} 1\n") != std::string::npos; }));
  EXPECT_FALSE(s.refetch()->available()) << "backing off: a token would wait for nothing";
  const int before = fetches("/jwks");
  for (int i = 0; i < 20; ++i) {  // made-up kids, every 25 ms, during the 1 s backoff
    s.request_refresh();
    f.run_until([] { return false; }, 25ms);
  }
  EXPECT_EQ(fetches("/jwks") - before, 0) << "the retry waits for its backoff (1 s)";
  set_state(R"({"jwks_status":200})");
}

TEST(JwksRefresher, CacheControlMaxAgeShortensTheIntervalDownToTheFloor) {
  set_state(R"({"jwks_status":200,"cache_control":"max-age=0","jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot s{https_jwks(300ms)};
  const int before = fetches("/jwks");
  f.refresher.apply(s.snapshot);
  f.run_until([] { return false; }, 1400ms);
  const int count = fetches("/jwks") - before;
  EXPECT_GE(count, 3) << "max-age=0 → every min_refresh_interval (300 ms)";
  EXPECT_LE(count, 6) << "never faster than the floor";
  set_state(R"({"cache_control":null})");
}

TEST(JwksRefresher, AReloadStartsWithTheOldKeysAndDroppedSourcesStop) {
  set_state(R"({"jwks_status":200,"jwks":)" + jwks("k1") + "}");
  Fixture f;
  RemoteSnapshot first{https_jwks()};
  f.refresher.apply(first.snapshot);
  ASSERT_TRUE(f.run_until([&] { return first.live().current() != nullptr; }));
  RemoteSnapshot second{https_jwks()};
  f.refresher.apply(second.snapshot);
  EXPECT_EQ(second.live().current(), first.live().current()) << "served at once: no 503 gap after a reload";
  EXPECT_EQ(f.refresher.source_count(), 1u);
  config::RemoteKeys other = https_jwks();
  other.jwks_url += "?v=2";
  RemoteSnapshot third{other};
  f.refresher.apply(third.snapshot);
  EXPECT_EQ(third.live().current(), nullptr) << "another source starts empty";
  EXPECT_EQ(f.refresher.source_count(), 1u) << "the old source stopped";
  ASSERT_TRUE(f.run_until([&] { return third.live().current() != nullptr; }));
}

}  // namespace
}  // namespace authgate::gateway
