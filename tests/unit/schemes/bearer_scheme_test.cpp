// The Bearer scheme end to end: RFC 6750 challenge, outcomes and their challenge parameters, key
// rotation through LiveKeySet, pinned clock.
#include <gtest/gtest.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include <thread>

#include "authgate/schemes/bearer.hpp"
#include "jose_signer.hpp"

namespace authgate::schemes {
namespace {

using jose::Alg;
using std::chrono::seconds;
using test::header;
using test::public_jwk;
using test::sign_jws;
using test::test_keys;

constexpr long now_s = 1'700'000'000;

class PinnedClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const noexcept override {
    return std::chrono::system_clock::time_point{seconds(now_s)};
  }
};

std::shared_ptr<const jose::KeySet> keys_of(EVP_PKEY* pkey, const std::string& kid) {
  auto key = jose::key_from_jwk(public_jwk(pkey, kid));
  return std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key});
}

BearerOptions options(std::string scope = {}) {
  BearerOptions o;
  o.realm = "api";
  o.scope = std::move(scope);
  o.policy.jws.algorithms = {Alg::es256};
  o.policy.claims.issuer = "https://issuer.example";
  o.policy.claims.audiences = {"api"};
  o.policy.claims.groups_claim = "groups";
  return o;
}

std::string claims(long exp_offset = 300) {
  return R"({"iss":"https://issuer.example","aud":"api","sub":"alice","groups":["ops"],"scope":"read write","exp":)" +
         std::to_string(now_s + exp_offset) + "}";
}

std::string token(EVP_PKEY* pkey = test_keys().p256.get(), const std::string& kid = "k1",
                  long exp_offset = 300) {
  return sign_jws(pkey, Alg::es256, header("ES256", ",\"kid\":\"" + kid + "\""), claims(exp_offset));
}

grammar::Credentials bearer(std::string token68) { return {"Bearer", std::move(token68), {}}; }

// What the gateway's JWKS refresher offers a scheme: `available` says a refetch can run soon; refetch()
// counts requests and keeps the callbacks, which the test answers by calling finish().
struct FakeRefetch final : KeyRefetch {
  bool can = true;
  int requests = 0;
  std::vector<std::function<void()>> waiting;
  bool available() const noexcept override { return can; }
  void refetch(std::function<void()> done) override {
    ++requests;
    if (done) waiting.push_back(std::move(done));
  }
  void finish() {
    auto callbacks = std::move(waiting);
    waiting.clear();
    for (auto& done : callbacks) done();
  }
};

struct Fixture {
  std::shared_ptr<jose::LiveKeySet> live =
      std::make_shared<jose::LiveKeySet>(keys_of(test_keys().p256.get(), "k1"));
  std::shared_ptr<KeyRefetchSlot> slot = std::make_shared<KeyRefetchSlot>();
  std::shared_ptr<FakeRefetch> refetch = std::make_shared<FakeRefetch>();
  std::shared_ptr<const Scheme> scheme =
      make_bearer_scheme(options(), live, std::make_shared<PinnedClock>(), slot);
  Outcome run(const grammar::Credentials& credentials) const { return scheme->authenticate(credentials, {}); }
  /// authenticate_async(), with the answer if it came already.
  std::optional<Outcome> start(const grammar::Credentials& credentials,
                               std::optional<Outcome>& answer) const {
    scheme->authenticate_async(credentials, {}, executor, [&answer](Outcome o) { answer = std::move(o); });
    return answer;
  }
  boost::asio::io_context io;
  boost::asio::any_io_executor executor = io.get_executor();
};

const std::string* param(const std::vector<grammar::AuthParam>& params, std::string_view name) {
  return grammar::find_param(params, name);
}

TEST(BearerScheme, ChallengeIsRealmAndOptionalScopeWithoutErrorCode) {
  Fixture f;
  const auto plain = f.scheme->challenge({});
  EXPECT_EQ(plain.scheme, "Bearer");
  EXPECT_EQ(plain.params, (std::vector<grammar::AuthParam>{{"realm", "api"}}));
  const auto scoped = make_bearer_scheme(options("read write"), f.live)->challenge({});
  EXPECT_EQ(scoped.params, (std::vector<grammar::AuthParam>{{"realm", "api"}, {"scope", "read write"}}));
  EXPECT_EQ(f.scheme->name(), "Bearer");
  EXPECT_EQ(f.scheme->work(bearer("x")), Work::pure) << "verified inline";
  EXPECT_TRUE(f.scheme->is_cacheable());
}

TEST(BearerScheme, AValidTokenAuthenticatesWithIdentityAndExpiry) {
  Fixture f;
  const Outcome outcome = f.run(bearer(token()));
  const auto* ok = std::get_if<Authenticated>(&outcome);
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->identity->user, "alice");
  EXPECT_EQ(ok->identity->scheme, "Bearer");
  EXPECT_EQ(ok->identity->groups, std::vector<std::string>{"ops"});
  EXPECT_EQ(ok->identity->scopes, (std::vector<std::string>{"read", "write"}));
  ASSERT_TRUE(ok->not_after);
  EXPECT_EQ(*ok->not_after, std::chrono::system_clock::time_point{seconds(now_s + 300)});
  EXPECT_TRUE(std::holds_alternative<Authenticated>(f.run({"bEaReR", token(), {}})))
      << "scheme is case-insensitive";
}

// Issue 11 F2/F4: a validly signed token is only as safe as its claims. A user or group name that would
// add a header field, or a second group, upstream is invalid_token (RFC 6750 §3.1), never forwarded.
TEST(BearerScheme, ATokenWhoseIdentityNoHeaderMayCarryIsInvalid) {
  Fixture f;
  const struct {
    const char* name;
    const char* sub;
    const char* groups;
    bool accepted;
  } cases[] = {
      {"plain", R"("alice")", R"(["ops"])", true},
      {"UTF-8 user and group", R"("j\u00fcrgen")", R"(["\u65e5\u672c"])", true},
      {"a comma in the user is one value", R"("smith, alice")", R"([])", true},
      {"CR LF in the user", R"("alice\r\nX-Auth-Groups: admins")", R"([])", false},
      {"LF alone", R"("alice\nx")", R"([])", false},
      {"NUL", R"("alice\u0000")", R"([])", false},
      {"DEL", R"("alice\u007f")", R"([])", false},
      {"trailing space", R"("alice ")", R"([])", false},
      {"CR LF in a group", R"("alice")", R"(["ops\r\nX-Auth-User: root"])", false},
      {"a comma in a group", R"("alice")", R"(["users,admins"])", false},
  };
  for (const auto& c : cases) {
    const std::string payload = std::string(R"({"iss":"https://issuer.example","aud":"api","sub":)") + c.sub +
                                R"(,"groups":)" + c.groups + R"(,"exp":)" + std::to_string(now_s + 300) + "}";
    const auto signed_token =
        sign_jws(test_keys().p256.get(), Alg::es256, header("ES256", ",\"kid\":\"k1\""), payload);
    const Outcome outcome = f.run(bearer(signed_token));
    if (c.accepted) {
      EXPECT_TRUE(std::holds_alternative<Authenticated>(outcome)) << c.name;
      continue;
    }
    const auto* rejected = std::get_if<Rejected>(&outcome);
    ASSERT_NE(rejected, nullptr) << c.name;
    EXPECT_EQ(rejected->reason, Reason::unsafe_identity) << c.name;
    ASSERT_NE(param(rejected->challenge_params, "error"), nullptr) << c.name;
    EXPECT_EQ(*param(rejected->challenge_params, "error"), "invalid_token") << c.name;
  }
}

struct MalformedCase {
  const char* name;
  grammar::Credentials credentials;
  const char* why;
};

TEST(BearerScheme, MalformedCredentialsAreInvalidRequest) {
  Fixture f;
  const MalformedCase cases[] = {
      {"no token", {"Bearer", std::nullopt, {}}, "RFC 6750 §2.1: Bearer with no token"},
      {"auth-params", {"Bearer", std::nullopt, {{"token", "abc"}}}, "b64token, not auth-params"},
      {"token and params", {"Bearer", "abc", {{"a", "b"}}}, "one form only"},
      {"space in token", {"Bearer", "a b", {}}, "not a b64token"},
      {"comma in token", {"Bearer", "a,b", {}}, "not a b64token"},
      {"empty token", {"Bearer", "", {}}, "1*b64token"},
  };
  for (const auto& c : cases) {
    const Outcome outcome = f.run(c.credentials);
    const auto* malformed = std::get_if<Malformed>(&outcome);
    ASSERT_NE(malformed, nullptr) << c.name << ": " << c.why;
    EXPECT_EQ(malformed->reason, Reason::malformed_header) << c.name;
    EXPECT_EQ(malformed->scheme, "Bearer");
    ASSERT_NE(param(malformed->challenge_params, "error"), nullptr);
    EXPECT_EQ(*param(malformed->challenge_params, "error"), "invalid_request") << "RFC 6750 §3.1";
  }
}

struct RejectCase {
  const char* name;
  std::string token;
  Reason reason;
  const char* why;
};

TEST(BearerScheme, VerificationFailuresAreInvalidTokenWithAReason) {
  Fixture f;
  const RejectCase cases[] = {
      {"expired", token(test_keys().p256.get(), "k1", -61), Reason::token_expired,
       "1 s beyond the 60 s leeway"},
      {"unknown kid", token(test_keys().p256.get(), "k2"), Reason::unknown_key, "not in the key set"},
      {"other key", token(test_keys().p256_other.get(), "k1"), Reason::bad_signature, "right kid, wrong key"},
      {"alg not accepted", sign_jws(test_keys().rsa.get(), Alg::rs256, header("RS256"), claims()),
       Reason::alg_not_allowed, "only ES256 configured"},
      {"alg none", test::signing_input(header("none"), claims()) + ".", Reason::alg_not_allowed, "never"},
      {"garbage", "abc.def", Reason::invalid_token, "not a JWS"},
  };
  for (const auto& c : cases) {
    const Outcome outcome = f.run(bearer(c.token));
    const auto* rejected = std::get_if<Rejected>(&outcome);
    ASSERT_NE(rejected, nullptr) << c.name << ": " << c.why;
    EXPECT_EQ(rejected->reason, c.reason) << c.name << ": " << c.why;
    EXPECT_EQ(rejected->scheme, "Bearer");
    ASSERT_NE(param(rejected->challenge_params, "error"), nullptr);
    EXPECT_EQ(*param(rejected->challenge_params, "error"), "invalid_token") << "RFC 6750 §3.1";
    const std::string* description = param(rejected->challenge_params, "error_description");
    ASSERT_NE(description, nullptr);
    EXPECT_EQ(description->find(c.token), std::string::npos) << "the description never echoes the token";
  }
}

TEST(BearerScheme, OtherSchemesAreNotAccepted) {
  Fixture f;
  const Outcome outcome = f.run({"Basic", "YTpi", {}});
  ASSERT_TRUE(std::holds_alternative<Rejected>(outcome));
  EXPECT_EQ(std::get<Rejected>(outcome).reason, Reason::scheme_not_accepted);
}

TEST(BearerScheme, WithoutKeysTheSchemeIsUnavailableNotUnauthorized) {
  auto live = std::make_shared<jose::LiveKeySet>();
  const auto scheme = make_bearer_scheme(options(), live, std::make_shared<PinnedClock>());
  const Outcome outcome = scheme->authenticate(bearer(token()), {});
  ASSERT_TRUE(std::holds_alternative<Unavailable>(outcome)) << "broken machinery is a 5xx, never a 401";
  EXPECT_EQ(std::get<Unavailable>(outcome).reason, Reason::keys_unavailable);
  EXPECT_EQ(scheme->generation(), 0u);
}

TEST(BearerScheme, KeyRotationTakesEffectWithoutRebuildingTheScheme) {
  Fixture f;
  const std::uint64_t before = f.scheme->generation();
  const std::string new_token = token(test_keys().p256_other.get(), "k2");
  EXPECT_EQ(std::get<Rejected>(f.run(bearer(new_token))).reason, Reason::unknown_key);
  f.live->replace(keys_of(test_keys().p256_other.get(), "k2"));
  EXPECT_TRUE(std::holds_alternative<Authenticated>(f.run(bearer(new_token))));
  EXPECT_EQ(std::get<Rejected>(f.run(bearer(token()))).reason, Reason::unknown_key) << "the old key is gone";
  EXPECT_GT(f.scheme->generation(), before) << "cached verifications of the old keys become misses";
}

TEST(BearerScheme, TwoSchemesOverOneKeySetHaveTheirOwnGenerations) {
  // A reload builds a new scheme (new issuer, audiences…) over the remote key set it carries over: what
  // the old scheme verified must be a miss for the new one, though the keys did not change.
  Fixture f;
  const auto again = make_bearer_scheme(options(), f.live, std::make_shared<PinnedClock>());
  EXPECT_NE(again->generation(), f.scheme->generation());
  EXPECT_NE(again->generation(), 0u);
  const std::uint64_t before = again->generation();
  f.live->replace(keys_of(test_keys().p256_other.get(), "k2"));
  EXPECT_NE(again->generation(), before);
  EXPECT_NE(again->generation(), f.scheme->generation());
}

TEST(BearerScheme, AnUnknownKidAsksForARefetchAndNothingElseDoes) {
  Fixture f;
  f.slot->attach(f.refetch);
  EXPECT_TRUE(std::holds_alternative<Authenticated>(f.run(bearer(token()))));
  EXPECT_EQ(f.refetch->requests, 0) << "a known kid needs no refetch";
  EXPECT_TRUE(std::holds_alternative<Rejected>(f.run(bearer(token(test_keys().p256_other.get(), "k1")))));
  EXPECT_EQ(f.refetch->requests, 0) << "a bad signature under a known kid is not a rotation";
  const Outcome unknown = f.run(bearer(token(test_keys().p256_other.get(), "k2")));
  ASSERT_TRUE(std::holds_alternative<Rejected>(unknown));
  EXPECT_EQ(std::get<Rejected>(unknown).reason, Reason::unknown_key);
  EXPECT_EQ(f.refetch->requests, 1) << "the issuer may have published k2 since our last fetch";
  EXPECT_TRUE(f.refetch->waiting.empty()) << "authenticate() asks but never waits";
  f.slot->attach(nullptr);
  (void)f.run(bearer(token(test_keys().p256_other.get(), "k3")));
  EXPECT_EQ(f.refetch->requests, 1) << "no refresher attached, no call";
}

TEST(BearerScheme, AnUnknownKidWaitsForTheRefetchWithoutAThreadAndVerifiesAgainstTheNewSet) {
  Fixture f;
  f.slot->attach(f.refetch);
  const auto rotated = bearer(token(test_keys().p256_other.get(), "k2"));
  EXPECT_EQ(f.scheme->work(rotated), Work::waits) << "an unknown kid waits for the refetch";
  EXPECT_EQ(f.scheme->work(bearer(token())), Work::pure) << "a known kid verifies inline";
  std::optional<Outcome> answer;
  EXPECT_FALSE(f.start(rotated, answer)) << "parked until the refetch ends";
  ASSERT_EQ(f.refetch->waiting.size(), 1u);
  // What the refresher does: install the issuer's new set, then call back.
  f.live->replace(keys_of(test_keys().p256_other.get(), "k2"));
  f.refetch->finish();
  ASSERT_TRUE(answer.has_value());
  EXPECT_TRUE(std::holds_alternative<Authenticated>(*answer)) << "verified against the refetched set";
}

TEST(BearerScheme, ARefetchThatBringsNoKeyEndsTheWaitWithUnknownKey) {
  Fixture f;
  f.slot->attach(f.refetch);
  std::optional<Outcome> answer;
  const auto rotated = bearer(token(test_keys().p256_other.get(), "k2"));  // lives until the answer
  EXPECT_FALSE(f.start(rotated, answer));
  f.refetch->finish();  // fetched, but k2 is not there: a forged kid, not a rotation
  ASSERT_TRUE(answer.has_value());
  ASSERT_TRUE(std::holds_alternative<Rejected>(*answer));
  EXPECT_EQ(std::get<Rejected>(*answer).reason, Reason::unknown_key);
}

TEST(BearerScheme, WithoutARefetchSoonAnUnknownKidIsAnsweredAtOnce) {
  Fixture f;
  f.slot->attach(f.refetch);
  f.refetch->can = false;  // rate-limited: nothing would answer soon
  const auto rotated = bearer(token(test_keys().p256_other.get(), "k2"));
  EXPECT_EQ(f.scheme->work(rotated), Work::pure) << "no refetch can run soon: unknown kids fail inline, fast";
  f.slot->attach(nullptr);
  EXPECT_EQ(f.scheme->work(rotated), Work::pure) << "no refresher at all";
  std::optional<Outcome> answer;
  EXPECT_TRUE(f.start(rotated, answer)) << "the async path answers at once without a refresher";
  EXPECT_EQ(std::get<Rejected>(*answer).reason, Reason::unknown_key);
}

}  // namespace
}  // namespace authgate::schemes
