#pragma once
// Identity from a verified claims set (internal).

#include <boost/json/object.hpp>

#include "authgate/identity.hpp"
#include "authgate/jose/claims.hpp"

namespace authgate::jose::detail {

/// Fills user, groups, scopes and claims; no_subject when the user claim is not a non-empty string.
VerifyResult<Identity> identity_from_claims(const boost::json::object& claims, const ClaimsPolicy& policy);

}  // namespace authgate::jose::detail
