// check_allowed(): users/groups (any listed), scopes (all), claims (each matches one of its values).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "authgate/policy/decision.hpp"

namespace authgate::policy {
namespace {

struct Case {
  std::string name;
  Requirement requirement;
  Identity identity;
  Reason expected;
  std::string why;
};

Identity who(std::string user, std::vector<std::string> groups, std::vector<std::string> scopes,
             std::map<std::string, std::vector<std::string>, std::less<>> claims = {}) {
  return Identity{std::move(user), std::move(groups), "Bearer", std::move(scopes), std::move(claims)};
}

Requirement req(std::vector<std::string> users, std::vector<std::string> groups = {},
                std::vector<std::string> scopes = {}, std::vector<ClaimRequirement> claims = {}) {
  Requirement r;
  r.users = std::move(users);
  r.groups = std::move(groups);
  r.scopes = std::move(scopes);
  r.claims = std::move(claims);
  return r;
}

std::vector<Case> cases() {
  const ClaimRequirement tenant{"tenant", {"acme", "globex"}};
  const ClaimRequirement has_email{"email", {}};
  return {
      {"EmptyRequirementAllowsAnyone", req({}), who("x", {}, {}), Reason::ok, "no allow-list"},
      {"ListedUserIsAllowed", req({"x"}), who("x", {}, {}), Reason::ok, "user listed"},
      {"UnlistedUserWithNoGroupsIsRefused", req({"y"}), who("x", {}, {}), Reason::user_not_allowed,
       "not listed"},
      {"GroupsOnlyListRefusesUserOutsideThem", req({}, {"g"}), who("x", {"h"}, {}), Reason::user_not_allowed,
       "not in any listed group"},
      {"GroupsOnlyListAllowsMember", req({}, {"g", "h"}), who("x", {"h"}, {}), Reason::ok, "member of h"},
      {"EmptyUserNeverMatchesListedUsers", req({"x"}), who("", {}, {}), Reason::user_not_allowed,
       "an empty user-id is nobody"},
      {"AllScopesRequired", req({}, {}, {"a", "b"}), who("x", {}, {"a"}), Reason::insufficient_scope,
       "b missing"},
      {"ScopesCheckedAfterAllowList", req({"y"}, {}, {"a"}), who("x", {}, {}), Reason::user_not_allowed,
       "the allow-list is the first gate"},
      {"ClaimWithListedValueIsAllowed", req({}, {}, {}, {tenant}), who("x", {}, {}, {{"tenant", {"globex"}}}),
       Reason::ok, "one of the values"},
      {"ClaimWithOtherValueIsRefused", req({}, {}, {}, {tenant}), who("x", {}, {}, {{"tenant", {"initech"}}}),
       Reason::claim_mismatch, "value not listed"},
      {"AbsentClaimIsRefused", req({}, {}, {}, {tenant}), who("x", {}, {}), Reason::claim_mismatch, "absent"},
      {"ArrayClaimMatchesAnyElement", req({}, {}, {}, {tenant}),
       who("x", {}, {}, {{"tenant", {"initech", "acme"}}}), Reason::ok, "arrays are flattened"},
      {"PresenceOnlyClaimNeedsAValue", req({}, {}, {}, {has_email}), who("x", {}, {}, {{"email", {}}}),
       Reason::claim_mismatch, "an empty array is absence"},
      {"PresenceOnlyClaimAcceptsAnyValue", req({}, {}, {}, {has_email}),
       who("x", {}, {}, {{"email", {"a@b"}}}), Reason::ok, "any value"},
      {"EveryClaimMustMatch", req({}, {}, {}, {tenant, has_email}), who("x", {}, {}, {{"tenant", {"acme"}}}),
       Reason::claim_mismatch, "email missing"},
  };
}

class CheckAllowedTest : public ::testing::TestWithParam<Case> {};

TEST_P(CheckAllowedTest, GivesTheExpectedReason) {
  const Case& c = GetParam();
  EXPECT_EQ(check_allowed(c.requirement, c.identity), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(Identities, CheckAllowedTest, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::policy
