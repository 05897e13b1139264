#pragma once
// Who a request is, once a scheme has verified it.

#include <map>
#include <string>
#include <vector>

namespace authgate {

struct Identity {
  std::string user;                 // Basic/Digest user-id, or the token's subject claim
  std::vector<std::string> groups;  // from the group file or the token's groups claim
  std::string scheme;               // "Basic", "Digest", "Bearer"
  std::vector<std::string> scopes;  // Bearer: from `scope` (space-separated) or `scp` (array)
  /// Bearer: string-valued claims the policy may require (arrays flattened to their elements).
  std::map<std::string, std::vector<std::string>, std::less<>> claims;
};

}  // namespace authgate
