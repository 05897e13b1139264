#pragma once
// What a route requires of a request, compiled from the config.

#include <string>
#include <vector>

namespace authgate::policy {

/// A claim the token must carry with one of the listed values (Bearer).
struct ClaimRequirement {
  std::string name;
  std::vector<std::string> any_of;
};

struct Requirement {
  /// No authentication at all: every request is allowed and no credentials are inspected.
  bool anonymous = false;
  /// Realm names accepted on this route, in the order their challenges are sent.
  std::vector<std::string> realms;
  /// Allow-list. Both empty = any authenticated user. Otherwise the user is named or in a named group.
  std::vector<std::string> users;
  std::vector<std::string> groups;
  /// Bearer: every listed scope must be granted (RFC 6750 §3.1 insufficient_scope otherwise).
  std::vector<std::string> scopes;
  /// Bearer: every listed claim must match.
  std::vector<ClaimRequirement> claims;
};

}  // namespace authgate::policy
