// The allow-list half of the policy: given who the request is, may it use this route?
#include <algorithm>
#include <string>
#include <vector>

#include "authgate/policy/decision.hpp"

namespace authgate::policy {
namespace {

bool contains(const std::vector<std::string>& haystack, const std::string& needle) {
  return std::find(haystack.begin(), haystack.end(), needle) != haystack.end();
}

// Users and groups are compared as exact bytes: the store and the token define the spelling, and a
// case-folded match could let "Alice" in where only "alice" was listed.
bool user_or_group_listed(const Requirement& requirement, const Identity& identity) {
  if (requirement.users.empty() && requirement.groups.empty()) return true;
  if (contains(requirement.users, identity.user)) return true;
  return std::any_of(identity.groups.begin(), identity.groups.end(),
                     [&](const std::string& group) { return contains(requirement.groups, group); });
}

bool all_scopes_granted(const Requirement& requirement, const Identity& identity) {
  return std::all_of(requirement.scopes.begin(), requirement.scopes.end(),
                     [&](const std::string& scope) { return contains(identity.scopes, scope); });
}

// A claim requirement with an empty `any_of` only asks that the claim be present.
bool claim_satisfied(const ClaimRequirement& wanted, const Identity& identity) {
  const auto found = identity.claims.find(wanted.name);
  if (found == identity.claims.end() || found->second.empty()) return false;
  if (wanted.any_of.empty()) return true;
  return std::any_of(found->second.begin(), found->second.end(),
                     [&](const std::string& value) { return contains(wanted.any_of, value); });
}

}  // namespace

Reason check_allowed(const Requirement& requirement, const Identity& identity) {
  if (!user_or_group_listed(requirement, identity)) return Reason::user_not_allowed;
  if (!all_scopes_granted(requirement, identity)) return Reason::insufficient_scope;
  const bool claims_ok = std::all_of(requirement.claims.begin(), requirement.claims.end(),
                                     [&](const ClaimRequirement& c) { return claim_satisfied(c, identity); });
  return claims_ok ? Reason::ok : Reason::claim_mismatch;
}

}  // namespace authgate::policy
