// Digest through the judge on both sides (RFC 7616 with RFC 9110 §11.6/§11.7): one challenge per
// algorithm next to the route's other realms, stale=true on the Digest ones only, and rspauth in
// Authentication-Info or Proxy-Authentication-Info.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "authgate/grammar/serialize.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using policy::Side;
using schemes::digest::Algorithm;
using schemes::digest::Qop;

const auto now = std::chrono::system_clock::time_point{std::chrono::seconds(1'800'000'000)};

struct World {
  World() {
    auto users =
        stores::parse_htpasswd("alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", "users", "", "groups", 1);
    basic.scheme = schemes::make_basic_scheme({"staff", true, {}}, *users);
    basic.name = "staff";
    const std::string line =
        "Mufasa:testrealm@host.com:SHA-256=" +
        schemes::digest::ha1(Algorithm::sha256, "Mufasa", "testrealm@host.com", "Circle Of Life") +
        ",MD5=" + schemes::digest::ha1(Algorithm::md5, "Mufasa", "testrealm@host.com", "Circle Of Life");
    schemes::DigestOptions options;
    options.realm = "testrealm@host.com";
    options.algorithms = {Algorithm::sha256, Algorithm::md5};
    options.secret = std::string(32, 'x');
    digest.scheme =
        schemes::make_digest_scheme(options, *stores::parse_digest_store(line, "d", 1),
                                    stores::make_memory_state_store(std::make_shared<SystemClock>()));
    digest.name = "digest";
    route.realms = {&basic, &digest};
    route.schemes = {basic.scheme.get(), digest.scheme.get()};
  }

  Verdict judge(Side side, std::vector<std::string_view> fields, std::chrono::seconds later = {}) {
    RequestView view{{"GET", "/dir/index.html", "host.com", "127.0.0.1", false, now + later, std::nullopt},
                     {fields, std::nullopt, std::nullopt}};
    Verdict verdict;
    asio::io_context io;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { verdict = co_await judge_.judge(route, view, side); },
        asio::detached);
    io.run();
    return verdict;
  }

  /// An answer for Mufasa to the nonce and opaque of `challenge`.
  static std::string answer(const grammar::Challenge& challenge, std::string_view nc = "00000001") {
    std::string nonce, opaque;
    for (const auto& p : challenge.params) {
      if (p.name == "nonce") nonce = p.value;
      if (p.name == "opaque") opaque = p.value;
    }
    const auto ha1 =
        schemes::digest::ha1(Algorithm::sha256, "Mufasa", "testrealm@host.com", "Circle Of Life");
    const auto ha2 = schemes::digest::ha2(Algorithm::sha256, "GET", "/dir/index.html");
    const auto response =
        schemes::digest::response(Algorithm::sha256, ha1, nonce, nc, "0a4f113b", Qop::auth, ha2);
    return "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"" + nonce +
           "\", uri=\"/dir/index.html\", qop=auth, nc=" + std::string(nc) +
           ", cnonce=\"0a4f113b\", algorithm=SHA-256, response=\"" + response + "\", opaque=\"" + opaque +
           "\"";
  }

  config::CompiledRealm basic, digest;
  config::CompiledRoute route;
  WorkerPool pool{1, 10};
  stores::VerifyCache cache;
  Authenticator authenticator{pool, cache, std::chrono::minutes(1)};
  Judge judge_{authenticator};
};

class DigestBothSides : public testing::TestWithParam<Side> {
 protected:
  bool proxy() const { return GetParam() == Side::proxy; }
  World w;
};

TEST_P(DigestBothSides, ChallengesComeOnePerAlgorithmAfterTheRoutesEarlierRealms) {
  const auto v = w.judge(GetParam(), {});
  EXPECT_EQ(v.decision.status, proxy() ? 407 : 401);
  ASSERT_EQ(v.challenges.size(), 3u);
  EXPECT_EQ(grammar::to_field(v.challenges[0]), R"(Basic realm="staff", charset="UTF-8")");
  EXPECT_TRUE(
      grammar::to_field(v.challenges[1])
          .starts_with(R"(Digest realm="testrealm@host.com", qop="auth", algorithm=SHA-256, nonce=")"));
  EXPECT_TRUE(grammar::to_field(v.challenges[2])
                  .starts_with(R"(Digest realm="testrealm@host.com", qop="auth", algorithm=MD5, nonce=")"));
}

TEST_P(DigestBothSides, AnAnswerGetsInWithRspauthInTheSidesInfoField) {
  const auto challenge = w.judge(GetParam(), {}).challenges[1];
  const auto field = World::answer(challenge);
  const auto v = w.judge(GetParam(), {field});
  ASSERT_TRUE(v.allowed()) << to_string(v.decision.reason);
  EXPECT_EQ(v.identity()->user, "Mufasa");
  ASSERT_EQ(v.response_fields.size(), 1u);
  EXPECT_EQ(v.response_fields[0].name, proxy() ? "Proxy-Authentication-Info" : "Authentication-Info");
  EXPECT_EQ(v.response_fields[0].value.substr(0, 19), "qop=auth, rspauth=\"");
  EXPECT_FALSE(v.cache_lookup) << "Digest is never cached: the same field again is a replay";

  const auto replay = w.judge(GetParam(), {field});
  EXPECT_EQ(replay.decision.status, proxy() ? 407 : 401);
  EXPECT_EQ(replay.decision.reason, Reason::nonce_replayed);
  ASSERT_EQ(replay.challenges.size(), 3u);
  EXPECT_EQ(grammar::to_field(replay.challenges[0]), R"(Basic realm="staff", charset="UTF-8")")
      << "stale=true is Digest's word, not Basic's";
  for (std::size_t i = 1; i < 3; ++i) {
    const std::string line = grammar::to_field(replay.challenges[i]);
    EXPECT_TRUE(line.ends_with(R"(charset="UTF-8", stale=true)"))
        << "on each Digest challenge: whichever algorithm the client takes, it need not ask its user";
  }
}

TEST_P(DigestBothSides, AnExpiredNonceIsStale) {
  const auto challenge = w.judge(GetParam(), {}).challenges[1];
  const auto v = w.judge(GetParam(), {World::answer(challenge)}, std::chrono::seconds(301));
  EXPECT_EQ(v.decision.reason, Reason::stale_nonce);
  EXPECT_NE(grammar::to_field(v.challenges[1]).find("stale=true"), std::string::npos);
}

TEST_P(DigestBothSides, AUriForAnotherResourceIsA400) {
  auto field = World::answer(w.judge(GetParam(), {}).challenges[1]);
  field.replace(field.find("uri=\"/dir/index.html\""), 21, "uri=\"/dir/other.html\"");
  const auto v = w.judge(GetParam(), {field});
  EXPECT_EQ(v.decision.status, 400);
  EXPECT_EQ(v.decision.reason, Reason::uri_mismatch);
}

INSTANTIATE_TEST_SUITE_P(Judge, DigestBothSides, testing::Values(Side::origin, Side::proxy),
                         [](const auto& p) { return p.param == Side::proxy ? "Proxy" : "Origin"; });

}  // namespace
}  // namespace authgate::gateway
