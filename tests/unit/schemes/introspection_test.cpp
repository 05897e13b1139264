// RFC 7662 token introspection: what a response means (table), the request the gateway sends, and the
// scheme end to end against a local fake authorization server (tests/integration/harness/idp.py).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <functional>

#include "authgate/schemes/introspection.hpp"
#include "fake_idp.hpp"
#include "net/http_fetch.hpp"
#include "schemes/bearer/introspection_detail.hpp"

namespace authgate::schemes {
namespace {

using std::chrono::seconds;
constexpr long now_s = 1'700'000'000;
const auto now = std::chrono::system_clock::time_point{seconds(now_s)};

std::string exp_in(long s) { return std::to_string(now_s + s); }

struct ResponseCase {
  const char* name;
  std::string body;
  const char* expected;  // "ok", "unavailable" or the Reason name of a rejection
  const char* why;
};

const std::vector<ResponseCase>& response_cases() {
  static const std::vector<ResponseCase> cases = {
      {"ActiveWithSubject", R"({"active":true,"sub":"alice","exp":)" + exp_in(30) + "}", "ok",
       "RFC 7662 §2.2"},
      {"ActiveWithUsernameOnly", R"({"active":true,"username":"bob"})", "ok", "username is the fallback"},
      {"Inactive", R"({"active":false})", "token_inactive", "active=false is a verdict: 401"},
      {"InactiveWithClaims", R"({"active":false,"sub":"alice"})", "token_inactive", "claims do not matter"},
      {"ActiveAsString", R"({"active":"true","sub":"alice"})", "unavailable", "active must be a boolean"},
      {"ActiveMissing", R"({"sub":"alice"})", "unavailable", "active is REQUIRED"},
      {"NotJson", "<html>oops</html>", "unavailable", "a broken server is not a verdict"},
      {"NotAnObject", "[true]", "unavailable", "one JSON object"},
      {"DuplicateActive", R"({"active":false,"active":true,"sub":"a"})", "unavailable", "no last-wins"},
      {"Expired", R"({"active":true,"sub":"alice","exp":)" + exp_in(-120) + "}", "token_expired",
       "exp rechecked"},
      {"NotYetValid", R"({"active":true,"sub":"alice","nbf":)" + exp_in(600) + "}", "token_not_yet_valid",
       "nbf"},
      {"NoUser", R"({"active":true,"client_id":"svc"})", "invalid_token", "no sub and no username"},
      {"EmptySubject", R"({"active":true,"sub":""})", "invalid_token", "user must be non-empty"},
      {"ExpNotNumber", R"({"active":true,"sub":"a","exp":"soon"})", "invalid_token", "exp is a NumericDate"},
      {"HugeBody", R"({"active":true,"sub":")" + std::string(70'000, 'a') + R"("})", "unavailable", "64 KiB"},
  };
  return cases;
}

std::string describe_outcome(const Outcome& outcome) {
  if (std::holds_alternative<Authenticated>(outcome)) return "ok";
  if (std::holds_alternative<Unavailable>(outcome)) return "unavailable";
  if (const auto* r = std::get_if<Rejected>(&outcome)) return std::string(to_string(r->reason));
  return "other";
}

class ResponseTable : public testing::TestWithParam<ResponseCase> {};

TEST_P(ResponseTable, MeansWhatRfc7662Says) {
  const auto& c = GetParam();
  const Outcome outcome = detail::interpret_introspection(c.body, {}, now, seconds(60));
  EXPECT_EQ(describe_outcome(outcome), c.expected) << c.why;
  if (const auto* r = std::get_if<Rejected>(&outcome)) {
    EXPECT_EQ(r->scheme, "Bearer");
    ASSERT_NE(grammar::find_param(r->challenge_params, "error"), nullptr);
    EXPECT_EQ(*grammar::find_param(r->challenge_params, "error"), "invalid_token");
  }
}

INSTANTIATE_TEST_SUITE_P(Responses, ResponseTable, testing::ValuesIn(response_cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Introspection, IdentityComesFromTheConfiguredClaimsAndScope) {
  detail::IntrospectionPolicy policy;
  policy.groups_claim = "groups";
  const auto body = R"({"active":true,"sub":"alice","username":"al","scope":"read write","groups":["ops"],)"
                    R"("client_id":"app","exp":)" +
                    exp_in(3600) + "}";
  const Outcome outcome = detail::interpret_introspection(body, policy, now, seconds(60));
  const auto* ok = std::get_if<Authenticated>(&outcome);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->identity->user, "alice") << "sub first, username only when sub is absent";
  EXPECT_EQ(ok->identity->groups, std::vector<std::string>{"ops"});
  EXPECT_EQ(ok->identity->scopes, (std::vector<std::string>{"read", "write"}));
  EXPECT_EQ(ok->identity->scheme, "Bearer");
  EXPECT_EQ(ok->not_after, now + seconds(60)) << "cache_ttl is shorter than exp";
}

TEST(Introspection, TheCacheNeverOutlivesTheToken) {
  const auto body = R"({"active":true,"sub":"alice","exp":)" + exp_in(10) + "}";
  const Outcome outcome = detail::interpret_introspection(body, {}, now, seconds(60));
  const auto* ok = std::get_if<Authenticated>(&outcome);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->not_after, now + seconds(10));
}

TEST(Introspection, IssuerAndAudienceAreCheckedOnlyWhenConfigured) {
  const std::string body = R"({"active":true,"sub":"a","iss":"https://as.example","aud":["api","other"]})";
  EXPECT_EQ(describe_outcome(detail::interpret_introspection(body, {}, now, seconds(60))), "ok")
      << "an aud the realm does not restrict is not refused";
  detail::IntrospectionPolicy strict;
  strict.issuer = "https://as.example";
  strict.audiences = {"api"};
  EXPECT_EQ(describe_outcome(detail::interpret_introspection(body, strict, now, seconds(60))), "ok");
  strict.issuer = "https://other.example";
  EXPECT_EQ(describe_outcome(detail::interpret_introspection(body, strict, now, seconds(60))), "bad_issuer");
  strict.issuer.clear();
  strict.audiences = {"billing"};
  EXPECT_EQ(describe_outcome(detail::interpret_introspection(body, strict, now, seconds(60))),
            "bad_audience");
}

struct LeewayCase {
  const char* name;
  long leeway_s;
  std::string claims;  // inside {"active":true,"sub":"a", … }
  const char* expected;
  const char* why;
};

const std::vector<LeewayCase>& leeway_cases() {
  static const std::vector<LeewayCase> cases = {
      {"ExpiredWithinLeeway", 60, R"("exp":)" + exp_in(-59), "ok", "skew between us and the server"},
      {"ExpiredAtTheLeeway", 60, R"("exp":)" + exp_in(-60), "token_expired", "now < exp + leeway"},
      {"ExpiredWithNoLeeway", 0, R"("exp":)" + exp_in(-1), "token_expired", "leeway 0 means none"},
      {"NotBeforeWithinLeeway", 60, R"("nbf":)" + exp_in(30), "ok", "now + leeway >= nbf"},
      {"NotBeforeWithNoLeeway", 0, R"("nbf":)" + exp_in(30), "token_not_yet_valid", "nbf ahead"},
      {"IssuedAheadWithinLeeway", 60, R"("iat":)" + exp_in(30), "ok", "iat not after now + leeway"},
      {"IssuedAheadWithNoLeeway", 0, R"("iat":)" + exp_in(30), "token_not_yet_valid", "a future iat"},
  };
  return cases;
}

class LeewayTable : public testing::TestWithParam<LeewayCase> {};

TEST_P(LeewayTable, TheRealmsLeewayAppliesToTheAnswersTimes) {
  const auto& c = GetParam();
  detail::IntrospectionPolicy policy;
  policy.leeway = seconds(c.leeway_s);
  const std::string body = R"({"active":true,"sub":"a",)" + c.claims + "}";
  EXPECT_EQ(describe_outcome(detail::interpret_introspection(body, policy, now, seconds(60))), c.expected)
      << c.why;
}

INSTANTIATE_TEST_SUITE_P(Leeway, LeewayTable, testing::ValuesIn(leeway_cases()),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Introspection, TheRequestIsAFormWithClientCredentialsEncodedPerRfc6749) {
  EXPECT_EQ(detail::form_urlencode("a b+c/d:é*-._~"), "a+b%2Bc%2Fd%3A%C3%A9*-._%7E");
  EXPECT_EQ(detail::introspection_request_body("abc.DEF-_~+/="),
            "token=abc.DEF-_%7E%2B%2F%3D&token_type_hint=access_token");
  // RFC 6749 §2.3.1: form-encode id and secret, then Basic (so a ':' in the id survives).
  EXPECT_EQ(detail::basic_client_credentials("my:app", "p w"), "Basic bXklM0FhcHA6cCt3");
}

// --- the scheme against a local authorization server -------------------------------------------------

test::FakeIdp& idp() {
  static test::FakeIdp server;
  return server;
}

void set_state(const std::string& json) {
  const auto client = *net::HttpClient::create();
  const auto r = client->fetch({idp().http_url() + "/_control/set", true, json, {}}, {});
  ASSERT_TRUE(r.has_value() && r->status == 200);
}

boost::json::object stats() {
  const auto client = *net::HttpClient::create();
  const auto r = client->fetch({idp().http_url() + "/_control/stats", false, {}, {}}, {});
  if (!r || r->status != 200) throw std::runtime_error("stats unavailable");
  return boost::json::parse(r->body).as_object();
}

std::int64_t introspections() {
  const boost::json::object all = stats();
  const auto* n = all.at("counts").as_object().if_contains("/introspect");
  return n == nullptr ? 0 : n->as_int64();
}

std::int64_t connections() {
  const boost::json::object all = stats();
  const auto* n = all.at("connections").as_object().if_contains("/introspect");
  return n == nullptr ? 0 : n->as_int64();
}

class PinnedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const noexcept override { return ::authgate::schemes::now; }
};

class MovableClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const noexcept override { return now_.load(); }
  void advance(std::chrono::milliseconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<std::chrono::system_clock::time_point> now_{::authgate::schemes::now};
};

std::shared_ptr<const Scheme> scheme_with(
    const std::function<void(IntrospectionOptions&)>& change,
    std::shared_ptr<const Clock> clock = std::make_shared<PinnedClock>()) {
  IntrospectionOptions o;
  o.realm = "opaque";
  o.scope = "read";
  o.url = idp().https_url() + "/introspect";
  o.client_id = "gateway";
  o.client_secret = "s3cret";
  o.ca_file = idp().ca_file();
  o.timeout = std::chrono::milliseconds(2000);
  change(o);
  return make_introspection_scheme(std::move(o), std::move(clock));
}

std::shared_ptr<const Scheme> scheme(std::string secret = "s3cret", std::string path = "/introspect") {
  IntrospectionOptions o;
  o.realm = "opaque";
  o.scope = "read";
  o.url = idp().https_url() + path;
  o.client_id = "gateway";
  o.client_secret = std::move(secret);
  o.ca_file = idp().ca_file();
  o.timeout = std::chrono::milliseconds(2000);
  return make_introspection_scheme(std::move(o), std::make_shared<PinnedClock>());
}

grammar::Credentials bearer(std::string token) { return {"Bearer", std::move(token), {}}; }

TEST(IntrospectionScheme, IsExpensiveCacheableAndChallengesLikeBearer) {
  const auto s = scheme();
  EXPECT_EQ(s->work(bearer("x")), Work::waits);
  EXPECT_TRUE(s->is_cacheable());
  EXPECT_EQ(s->name(), "Bearer");
  EXPECT_EQ(s->challenge({}).params,
            (std::vector<grammar::AuthParam>{{"realm", "opaque"}, {"scope", "read"}}));
  EXPECT_NE(s->generation(), scheme()->generation()) << "a reload's new scheme does not reuse cached answers";
}

TEST(IntrospectionScheme, AnActiveTokenAuthenticates) {
  set_state(R"({"introspection_status":200,"introspection_raw":null,
                "introspection":{"tok-alice":{"active":true,"sub":"alice","scope":"read"}}})");
  const Outcome outcome = scheme()->authenticate(bearer("tok-alice"), {});
  const auto* ok = std::get_if<Authenticated>(&outcome);
  ASSERT_NE(ok, nullptr) << describe_outcome(outcome);
  EXPECT_EQ(ok->identity->user, "alice");
}

TEST(IntrospectionScheme, AnUnknownOrInactiveTokenIsInvalidToken) {
  const Outcome outcome = scheme()->authenticate(bearer("tok-nobody"), {});
  EXPECT_EQ(describe_outcome(outcome), "token_inactive");
}

TEST(IntrospectionScheme, EndpointFailuresAre503NeverA401) {
  set_state(R"({"introspection_status":500})");
  EXPECT_EQ(describe_outcome(scheme()->authenticate(bearer("tok-alice"), {})), "unavailable") << "HTTP 500";
  set_state(R"({"introspection_status":200,"introspection_raw":"{\"active\":1}"})");
  EXPECT_EQ(describe_outcome(scheme()->authenticate(bearer("tok-alice"), {})), "unavailable") << "bad JSON";
  set_state(R"({"introspection_raw":null})");
  EXPECT_EQ(describe_outcome(scheme("wrong")->authenticate(bearer("tok-alice"), {})), "unavailable")
      << "the server refused our client credentials (401): our fault, not the token's";
  EXPECT_EQ(describe_outcome(scheme("s3cret", "/slow")->authenticate(bearer("tok-alice"), {})), "unavailable")
      << "POST /slow is a 404 here; either way no verdict";
  IntrospectionOptions down;
  down.url = "http://127.0.0.1:1/introspect";
  EXPECT_EQ(describe_outcome(make_introspection_scheme(down)->authenticate(bearer("tok-alice"), {})),
            "unavailable")
      << "connection refused";
}

TEST(IntrospectionScheme, MalformedCredentialsAreInvalidRequest) {
  const Outcome outcome = scheme()->authenticate({"Bearer", std::nullopt, {{"token", "x"}}}, {});
  const auto* m = std::get_if<Malformed>(&outcome);
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(*grammar::find_param(m->challenge_params, "error"), "invalid_request");
  EXPECT_EQ(describe_outcome(scheme()->authenticate({"Basic", std::string("eA=="), {}}, {})),
            "scheme_not_accepted");
}

TEST(IntrospectionScheme, SendsTheTokenAsAFormWithBasicClientCredentials) {
  set_state(R"({"introspection":{"a+b/c":{"active":true,"sub":"x"}}})");
  EXPECT_EQ(describe_outcome(scheme()->authenticate(bearer("a+b/c"), {})), "ok")
      << "the server decoded the form and found the token";
}

TEST(IntrospectionScheme, ARefusalIsRememberedForTheNegativeCacheTtl) {
  set_state(R"({"introspection_status":200,"introspection_raw":null,"introspection":{}})");
  const auto clock = std::make_shared<MovableClock>();
  const auto s = scheme_with([](IntrospectionOptions& o) { o.negative_cache_ttl = seconds(5); }, clock);
  const auto before = introspections();
  const Outcome first = s->authenticate(bearer("tok-nobody"), {});
  for (int i = 0; i < 9; ++i) {
    const Outcome again = s->authenticate(bearer("tok-nobody"), {});
    ASSERT_EQ(describe_outcome(again), "token_inactive");
    EXPECT_EQ(std::get<Rejected>(again).challenge_params, std::get<Rejected>(first).challenge_params)
        << "the same 401 challenge as the first answer";
  }
  EXPECT_EQ(introspections() - before, 1) << "ten requests with one inactive token, one call";
  clock->advance(seconds(5));
  EXPECT_EQ(describe_outcome(s->authenticate(bearer("tok-nobody"), {})), "token_inactive");
  EXPECT_EQ(introspections() - before, 2) << "asked again once the negative ttl passed";
}

TEST(IntrospectionScheme, AZeroNegativeCacheTtlAsksEveryTime) {
  set_state(R"({"introspection_status":200,"introspection_raw":null,"introspection":{}})");
  const auto s = scheme_with([](IntrospectionOptions& o) { o.negative_cache_ttl = seconds(0); });
  const auto before = introspections();
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(describe_outcome(s->authenticate(bearer("tok-x"), {})), "token_inactive");
  EXPECT_EQ(introspections() - before, 3);
}

TEST(IntrospectionScheme, AnEndpointFailureIsNeverRemembered) {
  set_state(R"({"introspection_status":500,"introspection_raw":null,
                "introspection":{"tok-bob":{"active":true,"sub":"bob"}}})");
  const auto s = scheme_with([](IntrospectionOptions&) {});
  EXPECT_EQ(describe_outcome(s->authenticate(bearer("tok-bob"), {})), "unavailable");
  set_state(R"({"introspection_status":200})");
  EXPECT_EQ(describe_outcome(s->authenticate(bearer("tok-bob"), {})), "ok") << "back with the endpoint";
}

TEST(IntrospectionScheme, TheRealmsLeewayAppliesToTheAnswer) {
  set_state(R"({"introspection_status":200,"introspection_raw":null,
                "introspection":{"tok-late":{"active":true,"sub":"a","exp":)" +
            exp_in(-30) + "}}}");
  const auto strict = scheme_with([](IntrospectionOptions& o) { o.leeway = seconds(0); });
  EXPECT_EQ(describe_outcome(strict->authenticate(bearer("tok-late"), {})), "token_expired");
  const auto lenient = scheme_with([](IntrospectionOptions& o) { o.leeway = seconds(60); });
  EXPECT_EQ(describe_outcome(lenient->authenticate(bearer("tok-late"), {})), "ok");
}

TEST(IntrospectionScheme, CallsShareKeptAliveConnections) {
  set_state(R"({"introspection_status":200,"introspection_raw":null,"introspection":{}})");
  const auto s = scheme_with([](IntrospectionOptions& o) { o.negative_cache_ttl = seconds(0); });
  const auto calls = introspections();
  const auto opened = connections();
  for (int i = 0; i < 6; ++i) s->authenticate(bearer("tok-" + std::to_string(i)), {});
  EXPECT_EQ(introspections() - calls, 6);
  EXPECT_EQ(connections() - opened, 1) << "six calls, one TLS handshake";
  const auto closing = scheme_with([](IntrospectionOptions& o) { o.max_idle_connections = 0; });
  for (int i = 0; i < 3; ++i) closing->authenticate(bearer("tok-" + std::to_string(i)), {});
  EXPECT_EQ(connections() - opened, 4) << "max_idle_connections 0: one connection per call";
}

}  // namespace
}  // namespace authgate::schemes
