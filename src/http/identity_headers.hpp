#pragma once
// The names of the fields that carry the authenticated identity to the upstream (config
// `identity_headers`). Defined here, in the HTTP layer that strips and sets them; the config model
// uses this type for its key.

#include <string>

namespace authgate::gateway {

struct IdentityHeaders {
  std::string user = "X-Auth-User";
  std::string groups = "X-Auth-Groups";
  std::string scheme = "X-Auth-Scheme";
};

}  // namespace authgate::gateway
