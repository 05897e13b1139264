// decide(): every outcome on every kind of route, for the origin (401) and the proxy (407) side.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "authgate/policy/decision.hpp"

namespace authgate::policy {
namespace {

using namespace std::chrono_literals;

Identity identity(std::string user, std::vector<std::string> groups = {},
                  std::vector<std::string> scopes = {}) {
  Identity id;
  id.user = std::move(user);
  id.groups = std::move(groups);
  id.scheme = "Basic";
  id.scopes = std::move(scopes);
  return id;
}

Requirement needs_realm() {
  Requirement r;
  r.realms = {"staff"};
  return r;
}
Requirement anonymous() {
  Requirement r;
  r.anonymous = true;
  return r;
}
Requirement users(std::vector<std::string> u, std::vector<std::string> g = {}) {
  Requirement r = needs_realm();
  r.users = std::move(u);
  r.groups = std::move(g);
  return r;
}
Requirement scopes(std::vector<std::string> s) {
  Requirement r;
  r.realms = {"api"};
  r.scopes = std::move(s);
  return r;
}

Outcome bearer_with_scopes(std::vector<std::string> granted) {
  Identity id = identity("svc", {}, std::move(granted));
  id.scheme = "Bearer";
  return Authenticated{id, std::nullopt};
}

struct Case {
  std::string name;
  Requirement requirement;
  Outcome outcome;
  int origin_status;  // the proxy side expects 407 wherever this is 401, and the same otherwise
  Reason reason;
  ChallengeSet challenges;
  std::string scheme;
  std::vector<grammar::AuthParam> extra_params;
  std::chrono::seconds retry_after{0};
  std::string why;
};

std::vector<Case> cases() {
  const grammar::AuthParam invalid_token{"error", "invalid_token"};
  const grammar::AuthParam invalid_request{"error", "invalid_request"};
  return {
      {"AnonymousRouteAllowsWithoutCredentials",
       anonymous(),
       NoCredentials{},
       200,
       Reason::anonymous,
       ChallengeSet::none,
       "",
       {},
       0s,
       "anonymous routes never inspect credentials"},
      {"AnonymousRouteAllowsEvenRejectedCredentials",
       anonymous(),
       Rejected{Reason::wrong_password, "Basic", {}},
       200,
       Reason::anonymous,
       ChallengeSet::none,
       "",
       {},
       0s,
       "anonymous means the outcome is irrelevant"},
      {"AnonymousRouteAllowsEvenWhenStoreIsDown",
       anonymous(),
       Unavailable{Reason::store_unavailable},
       200,
       Reason::anonymous,
       ChallengeSet::none,
       "",
       {},
       0s,
       "an anonymous route does not depend on the store"},
      {"NoCredentialsIsChallengedWithEveryRealm",
       needs_realm(),
       NoCredentials{},
       401,
       Reason::no_credentials,
       ChallengeSet::all,
       "",
       {},
       0s,
       "RFC 9110 §11.6.1: 401 carries challenges"},
      {"AuthenticatedUserIsAllowedWhenNoAllowList",
       needs_realm(),
       Authenticated{identity("alice"), {}},
       200,
       Reason::ok,
       ChallengeSet::none,
       "",
       {},
       0s,
       "empty users and groups = any authenticated user"},
      {"ListedUserIsAllowed",
       users({"bob", "alice"}),
       Authenticated{identity("alice"), {}},
       200,
       Reason::ok,
       ChallengeSet::none,
       "",
       {},
       0s,
       "any listed user"},
      {"UserInListedGroupIsAllowed",
       users({"bob"}, {"admins"}),
       Authenticated{identity("carol", {"staff", "admins"}), {}},
       200,
       Reason::ok,
       ChallengeSet::none,
       "",
       {},
       0s,
       "any listed group is enough even when the user is not listed"},
      {"UnlistedUserIsForbidden",
       users({"bob"}, {"admins"}),
       Authenticated{identity("alice", {"staff"}), {}},
       403,
       Reason::user_not_allowed,
       ChallengeSet::none,
       "",
       {},
       0s,
       "403 not 401: other credentials of the same user would not help"},
      {"UserNameMatchIsCaseSensitive",
       users({"alice"}),
       Authenticated{identity("Alice"), {}},
       403,
       Reason::user_not_allowed,
       ChallengeSet::none,
       "",
       {},
       0s,
       "no case folding of user-ids"},
      {"GroupMatchIsCaseSensitive",
       users({}, {"admins"}),
       Authenticated{identity("a", {"Admins"}), {}},
       403,
       Reason::user_not_allowed,
       ChallengeSet::none,
       "",
       {},
       0s,
       "no case folding of group names"},
      {"AllRequiredScopesGrantedIsAllowed",
       scopes({"read", "write"}),
       bearer_with_scopes({"write", "admin", "read"}),
       200,
       Reason::ok,
       ChallengeSet::none,
       "",
       {},
       0s,
       "every required scope present, order irrelevant"},
      {"MissingScopeIsInsufficientScope",
       scopes({"read", "write"}),
       bearer_with_scopes({"read"}),
       403,
       Reason::insufficient_scope,
       ChallengeSet::outcome_scheme,
       "Bearer",
       {{"error", "insufficient_scope"}, {"scope", "read write"}},
       0s,
       "RFC 6750 §3.1: 403 with the scheme's challenge naming the required scopes"},
      {"BasicUserOnAScopedRouteGetsAPlain403",
       scopes({"read"}),
       Authenticated{identity("alice"), {}},
       403,
       Reason::insufficient_scope,
       ChallengeSet::none,
       "",
       {},
       0s,
       "a Basic identity has no scopes; no Basic challenge carries a Bearer error"},
      {"RejectedCredentialsAreChallengedAgain",
       needs_realm(),
       Rejected{Reason::wrong_password, "Basic", {}},
       401,
       Reason::wrong_password,
       ChallengeSet::all,
       "Basic",
       {},
       0s,
       "the client may retry"},
      {"RejectedTokenCarriesItsErrorParams",
       needs_realm(),
       Rejected{Reason::token_expired, "Bearer", {invalid_token}},
       401,
       Reason::token_expired,
       ChallengeSet::all,
       "Bearer",
       {invalid_token},
       0s,
       "RFC 6750 §3.1 invalid_token on the Bearer challenge"},
      {"MalformedBasicIsBadRequestWithoutChallenge",
       needs_realm(),
       Malformed{Reason::bad_base64, "Basic", {}},
       400,
       Reason::bad_base64,
       ChallengeSet::none,
       "",
       {},
       0s,
       "a syntax error is not a wrong password"},
      {"MalformedBearerNamesItsScheme",
       needs_realm(),
       Malformed{Reason::duplicate_credentials, "Bearer", {invalid_request}},
       400,
       Reason::duplicate_credentials,
       ChallengeSet::outcome_scheme,
       "Bearer",
       {invalid_request},
       0s,
       "RFC 6750 §3.1 invalid_request is a 400 with a challenge"},
      {"ThrottledIsTooManyRequests",
       needs_realm(),
       Throttled{30s},
       429,
       Reason::rate_limited,
       ChallengeSet::none,
       "",
       {},
       30s,
       "RFC 6585 §4 with Retry-After"},
      {"StoreDownIsServiceUnavailable",
       needs_realm(),
       Unavailable{Reason::store_unavailable},
       503,
       Reason::store_unavailable,
       ChallengeSet::none,
       "",
       {},
       0s,
       "broken machinery is never a 401"},
      {"KeysDownIsServiceUnavailable",
       needs_realm(),
       Unavailable{Reason::keys_unavailable},
       503,
       Reason::keys_unavailable,
       ChallengeSet::none,
       "",
       {},
       0s,
       "JWKS fetch failure"},
      {"IntrospectionDownIsServiceUnavailable",
       needs_realm(),
       Unavailable{Reason::introspection_unavailable},
       503,
       Reason::introspection_unavailable,
       ChallengeSet::none,
       "",
       {},
       0s,
       "introspection endpoint down"},
  };
}

class DecideTest : public ::testing::TestWithParam<Case> {};

void expect_decision(const Case& c, Side side) {
  const int expected_status = (side == Side::proxy && c.origin_status == 401) ? 407 : c.origin_status;
  const Decision d = decide(c.requirement, c.outcome, side);
  EXPECT_EQ(d.status, expected_status) << c.why;
  EXPECT_EQ(d.reason, c.reason) << to_string(d.reason) << " — " << c.why;
  EXPECT_EQ(d.challenges, c.challenges) << c.why;
  EXPECT_EQ(d.scheme, c.scheme) << c.why;
  EXPECT_EQ(d.extra_params, c.extra_params) << c.why;
  EXPECT_EQ(d.retry_after, c.retry_after) << c.why;
  EXPECT_EQ(d.allowed(), expected_status == 200) << c.why;
}

TEST_P(DecideTest, OnTheOriginSide) { expect_decision(GetParam(), Side::origin); }
TEST_P(DecideTest, OnTheProxySide) { expect_decision(GetParam(), Side::proxy); }

INSTANTIATE_TEST_SUITE_P(Outcomes, DecideTest, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::policy
