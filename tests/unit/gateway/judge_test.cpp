// The judging step on both sides (RFC 9110 §11.6 origin vs §11.7 proxy), before any proxy listener
// exists: every scheme answers the same way, with 401/WWW-Authenticate turned into 407/Proxy-
// Authenticate, credentials read from the side's own field, and Authentication-Info renamed.
#include "gateway/authn/judge.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/fields.hpp>

#include "authgate/grammar/serialize.hpp"
#include "authgate/jose/jwk.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/schemes/introspection.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "fake_idp.hpp"
#include "gateway/authn/worker_pool.hpp"
#include "http/local_reply.hpp"
#include "jose_signer.hpp"
#include "net/http_fetch.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using policy::Side;

constexpr std::string_view hmac_secret = "0123456789abcdef0123456789abcdef";
constexpr long now_s = 1'700'000'000;
const auto now = std::chrono::system_clock::time_point{std::chrono::seconds(now_s)};

class PinnedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const noexcept override { return gateway::now; }
};

std::string jwt(std::string_view scope = "read", long exp_offset = 300) {
  const std::string claims = R"({"sub":"bob","exp":)" + std::to_string(now_s + exp_offset) + R"(,"scope":")" +
                             std::string(scope) + R"("})";
  return test::hmac_jws(hmac_secret, jose::Alg::hs256, test::header("HS256"), claims);
}

// A scheme with a per-request word for the response (as Digest's rspauth will be).
class InfoScheme final : public Scheme {
 public:
  std::string_view name() const noexcept override { return "Info"; }
  grammar::Challenge challenge(const ChallengeContext&) const override {
    return {"Info", std::nullopt, {{"realm", "info"}}};
  }
  Work work(const grammar::Credentials&) const noexcept override { return Work::pure; }
  bool is_cacheable() const noexcept override { return false; }
  Outcome authenticate(const grammar::Credentials&, const RequestFacts&) const override {
    Authenticated ok{Identity{"carol", {}, "Info", {}, {}}};
    ok.info = {{"rspauth", "abc"}, {"nc", "00000001"}};
    return ok;
  }
  std::uint64_t generation() const noexcept override { return 1; }
};

struct World {
  World() {
    auto store =
        stores::parse_htpasswd("alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", "users", "", "groups", 1);
    basic.scheme = schemes::make_basic_scheme({"staff", true, {}}, *store);
    basic.name = "staff";
    schemes::BearerOptions options;
    options.realm = "api";
    options.policy.jws.algorithms = {jose::Alg::hs256};
    auto key = jose::key_from_secret(hmac_secret);
    auto keys = std::make_shared<jose::LiveKeySet>(
        std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key}));
    bearer.scheme = schemes::make_bearer_scheme(options, keys, std::make_shared<PinnedClock>());
    bearer.name = "api";
    info.scheme = std::make_shared<InfoScheme>();
    info.name = "info";
    for (auto* each : {&route, &scoped}) {
      each->realms = {&basic, &bearer, &info};
      each->schemes = {basic.scheme.get(), bearer.scheme.get(), info.scheme.get()};
      each->token_locations = {true, true};
    }
    scoped.requirement.scopes = {"admin"};
  }

  Verdict judge(Side side, std::vector<std::string_view> fields, std::optional<std::string_view> query = {},
                const config::CompiledRoute* on = nullptr) {
    RequestView view{{"GET", "/x", "h", "127.0.0.1", false, now, std::nullopt},
                     {fields, query, std::nullopt}};
    Verdict verdict;
    asio::io_context io;
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { verdict = co_await judge_.judge(on ? *on : route, view, side); },
        asio::detached);
    io.run();
    return verdict;
  }

  config::CompiledRealm basic, bearer, info;
  config::CompiledRoute route, scoped;
  WorkerPool pool{1, 10};
  stores::VerifyCache cache;
  Authenticator authenticator{pool, cache, std::chrono::minutes(1)};
  Judge judge_{authenticator};
};

std::vector<std::string> fields_of(const Verdict& verdict) {
  std::vector<std::string> out;
  for (const auto& challenge : verdict.challenges) out.push_back(grammar::to_field(challenge));
  return out;
}

const std::vector<std::string> all_challenges{R"(Basic realm="staff", charset="UTF-8")",
                                              R"(Bearer realm="api")", R"(Info realm="info")"};

class BothSides : public testing::TestWithParam<Side> {
 protected:
  int unauthenticated() const { return GetParam() == Side::proxy ? 407 : 401; }
  World w;
};

TEST_P(BothSides, NoCredentialsGetEveryChallenge) {
  const auto v = w.judge(GetParam(), {});
  EXPECT_EQ(v.decision.status, unauthenticated());
  EXPECT_EQ(v.decision.reason, Reason::no_credentials);
  EXPECT_EQ(fields_of(v), all_challenges);
}

TEST_P(BothSides, BasicVerifies) {
  const auto v = w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0"});  // alice:secret
  ASSERT_TRUE(v.allowed());
  EXPECT_EQ(v.identity()->user, "alice");
  EXPECT_TRUE(v.challenges.empty());
  EXPECT_TRUE(v.response_fields.empty());
}

TEST_P(BothSides, AWrongPasswordIsChallengedAgain) {
  const auto v = w.judge(GetParam(), {"Basic YWxpY2U6d3Jvbmc="});  // alice:wrong
  EXPECT_EQ(v.decision.status, unauthenticated());
  EXPECT_EQ(v.decision.reason, Reason::wrong_password);
  EXPECT_EQ(fields_of(v), all_challenges);
}

TEST_P(BothSides, ARevokedUserOrTokenIdIsRefusedEvenFromTheCache) {
  auto state = stores::make_memory_state_store(std::make_shared<PinnedClock>());
  for (auto* each : {&w.route, &w.scoped}) each->state = state.get();
  ASSERT_TRUE(w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0"}).allowed());  // alice:secret, now cached
  const std::string with_jti =
      "Bearer " + test::hmac_jws(hmac_secret, jose::Alg::hs256, test::header("HS256"),
                                 R"({"sub":"bob","jti":"t-1","exp":)" + std::to_string(now_s + 300) + "}");
  ASSERT_TRUE(w.judge(GetParam(), {with_jti}).allowed());
  state->deny("user:alice", std::chrono::hours(1),
              [](const stores::StateResult<void>& r) { ASSERT_TRUE(r); });
  state->deny("jti:t-1", std::chrono::hours(1), [](const stores::StateResult<void>& r) { ASSERT_TRUE(r); });

  const auto basic = w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0"});
  EXPECT_EQ(basic.decision.status, unauthenticated());
  EXPECT_EQ(basic.decision.reason, Reason::revoked);
  EXPECT_EQ(fields_of(basic), all_challenges) << "the usual challenges, nothing more";
  const auto token = w.judge(GetParam(), {with_jti});
  EXPECT_EQ(token.decision.status, unauthenticated());
  EXPECT_EQ(token.decision.reason, Reason::revoked);
  EXPECT_EQ(fields_of(token)[1],
            R"(Bearer realm="api", error="invalid_token", error_description="The token is revoked")");
  EXPECT_TRUE(w.judge(GetParam(), {"Bearer " + jwt()}).allowed()) << "bob's token without that jti";
}

TEST_P(BothSides, BearerVerifiesInTheFieldAndInTheQuery) {
  const std::string field = "Bearer " + jwt();
  const auto v = w.judge(GetParam(), {field});
  ASSERT_TRUE(v.allowed());
  EXPECT_EQ(v.identity()->user, "bob");
  EXPECT_EQ(v.source, schemes::CredentialSource::field);
  const std::string query = "a=1&access_token=" + jwt();
  const auto q = w.judge(GetParam(), {}, query);
  ASSERT_TRUE(q.allowed());
  EXPECT_EQ(q.source, schemes::CredentialSource::query);
}

TEST_P(BothSides, AnExpiredTokenIsInvalidToken) {
  const std::string field = "Bearer " + jwt("read", -3600);
  const auto v = w.judge(GetParam(), {field});
  EXPECT_EQ(v.decision.status, unauthenticated());
  EXPECT_EQ(v.decision.reason, Reason::token_expired);
  ASSERT_EQ(v.challenges.size(), 3u);
  EXPECT_EQ(grammar::to_field(v.challenges[1]).rfind(R"(Bearer realm="api", error="invalid_token")", 0), 0u)
      << grammar::to_field(v.challenges[1]);
}

TEST_P(BothSides, BrokenOrDoubleCredentialsAre400WithTheNamedSchemesError) {
  const auto broken = w.judge(GetParam(), {"Bearer a b"});
  EXPECT_EQ(broken.decision.status, 400);
  EXPECT_EQ(fields_of(broken),
            (std::vector<std::string>{R"(Bearer realm="api", error="invalid_request", )"
                                      R"(error_description="The Bearer credentials are malformed")"}));
  const auto two = w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0", "Bearer x"});
  EXPECT_EQ(two.decision.status, 400);
  EXPECT_EQ(two.decision.reason, Reason::duplicate_credentials);
  EXPECT_EQ(fields_of(two),
            (std::vector<std::string>{R"(Bearer realm="api", error="invalid_request", )"
                                      R"(error_description="The request carries more than one token")"}));
  const auto two_basic = w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0", "Basic YWxpY2U6c2VjcmV0"});
  EXPECT_EQ(two_basic.decision.status, 400);
  EXPECT_TRUE(two_basic.challenges.empty()) << "Basic defines no error to put in a challenge";
  const std::string query = "access_token=" + jwt();
  const auto field_and_query = w.judge(GetParam(), {"Basic YWxpY2U6c2VjcmV0"}, query);
  EXPECT_EQ(field_and_query.decision.status, 400) << "RFC 6750 §2: one method per request";
  EXPECT_EQ(field_and_query.decision.reason, Reason::duplicate_credentials);
  const auto garbage = w.judge(GetParam(), {"Basic a b c"});
  EXPECT_EQ(garbage.decision.status, 400);
  EXPECT_EQ(garbage.decision.reason, Reason::malformed_header);
}

TEST_P(BothSides, AMissingScopeIs403NeverAChallengeRound) {
  const std::string field = "Bearer " + jwt("read");
  const auto v = w.judge(GetParam(), {field}, {}, &w.scoped);
  EXPECT_EQ(v.decision.status, 403) << "the same on both sides: new credentials would not help";
  EXPECT_EQ(fields_of(v),
            (std::vector<std::string>{R"(Bearer realm="api", error="insufficient_scope", scope="admin")"}));
}

TEST_P(BothSides, AuthenticationInfoIsNamedForTheSide) {
  const auto v = w.judge(GetParam(), {"Info x"});
  ASSERT_TRUE(v.allowed());
  ASSERT_EQ(v.response_fields.size(), 1u);
  EXPECT_EQ(v.response_fields[0].name,
            GetParam() == Side::proxy ? "Proxy-Authentication-Info" : "Authentication-Info");
  EXPECT_EQ(v.response_fields[0].value, R"(rspauth="abc", nc=00000001)");
}

TEST_P(BothSides, TheReplyCarriesTheChallengesInTheSidesField) {
  const auto v = w.judge(GetParam(), {});
  LocalReply reply;
  reply.status = v.decision.status;
  reply.side = GetParam();
  reply.challenges = v.challenges;
  const auto wire = render_local_reply(reply).wire;
  const std::string field = GetParam() == Side::proxy ? "Proxy-Authenticate: " : "WWW-Authenticate: ";
  const std::string other = GetParam() == Side::proxy ? "WWW-Authenticate: " : "Proxy-Authenticate: ";
  for (const auto& challenge : all_challenges) {
    EXPECT_NE(wire.find(field + challenge + "\r\n"), std::string::npos) << wire;
  }
  EXPECT_EQ(wire.find(other), std::string::npos) << wire;
  EXPECT_EQ(wire.rfind(GetParam() == Side::proxy ? "HTTP/1.1 407 " : "HTTP/1.1 401 ", 0), 0u) << wire;
}

// RFC 7662 introspection, the scheme that waits: awaited through the judge on the I/O thread.
test::FakeIdp& idp() {
  static test::FakeIdp server;
  return server;
}

TEST_P(BothSides, IntrospectionIsAwaitedAndAnsweredForTheSide) {
  const auto client = *net::HttpClient::create();
  const auto set = client->fetch({idp().http_url() + "/_control/set",
                                  true,
                                  R"({"introspection":{"opaque-ok":{"active":true,"sub":"erin"}}})",
                                  {}},
                                 {});
  ASSERT_TRUE(set.has_value() && set->status == 200);
  schemes::IntrospectionOptions options;
  options.realm = "opaque";
  options.url = idp().https_url() + "/introspect";
  options.client_id = "gateway";
  options.client_secret = "s3cret";
  options.ca_file = idp().ca_file();
  config::CompiledRealm opaque;
  opaque.name = "opaque";
  opaque.scheme = schemes::make_introspection_scheme(options, std::make_shared<PinnedClock>());
  config::CompiledRoute route;
  route.realms = {&opaque};
  route.schemes = {opaque.scheme.get()};
  const auto ok = w.judge(GetParam(), {"Bearer opaque-ok"}, {}, &route);
  ASSERT_TRUE(ok.allowed()) << static_cast<int>(ok.decision.reason);
  EXPECT_EQ(ok.identity()->user, "erin");
  const auto inactive = w.judge(GetParam(), {"Bearer opaque-gone"}, {}, &route);
  EXPECT_EQ(inactive.decision.status, unauthenticated());
  EXPECT_EQ(inactive.decision.reason, Reason::token_inactive);
  EXPECT_EQ(fields_of(inactive),
            (std::vector<std::string>{R"(Bearer realm="opaque", error="invalid_token", )"
                                      R"(error_description="The token is not active")"}));
}

INSTANTIATE_TEST_SUITE_P(Judge, BothSides, testing::Values(Side::origin, Side::proxy),
                         [](const auto& p) { return p.param == Side::proxy ? "proxy" : "origin"; });

TEST(Judge, EachSideReadsOnlyItsOwnCredentialsField) {
  Fields fields;
  fields.insert("Authorization", "Basic origin");
  fields.insert("Proxy-Authorization", "Basic proxy");
  fields.insert("proxy-authorization", "Basic proxy-2");
  fields.insert("Proxy-Authorization", "Basic proxy-3");  // more lines than are kept inline
  fields.insert("AUTHORIZATION", "Basic origin-2");       // a name's case is not the field's
  fields.insert("X-Authorization", "Basic lookalike");    // another field, whatever it ends with
  fields.insert("Authorization_", "Basic lookalike-2");
  EXPECT_EQ(credential_lines(fields, Side::origin), (CredentialLines{"Basic origin", "Basic origin-2"}));
  EXPECT_EQ(credential_lines(fields, Side::proxy),
            (CredentialLines{"Basic proxy", "Basic proxy-2", "Basic proxy-3"}));
}

TEST(Judge, AnAnonymousRouteIsAllowedWithoutLookingAtCredentials) {
  World w;
  w.route.requirement.anonymous = true;
  const auto v = w.judge(Side::origin, {"Basic a b c", "Basic x"});
  EXPECT_TRUE(v.allowed());
  EXPECT_EQ(v.decision.reason, Reason::anonymous);
  EXPECT_EQ(v.identity(), nullptr);
}

TEST(Judge, ChallengesAndVerificationReadTheRequestsOneClock) {
  World w;
  // The token expired 10 s before the request's clock; the process's wall clock is irrelevant.
  const std::string field = "Bearer " + jwt("read", -70);  // beyond the 60 s leeway
  const auto v = w.judge(Side::origin, {field});
  EXPECT_EQ(v.decision.reason, Reason::token_expired);
}

}  // namespace
}  // namespace authgate::gateway
