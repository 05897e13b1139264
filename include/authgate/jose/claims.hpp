#pragma once
// JWT claims (RFC 7519 §4.1) checked against one issuer's policy, and the Identity they describe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/identity.hpp"
#include "authgate/jose/error.hpp"

namespace authgate::jose {

struct ClaimsPolicy {
  /// Required exact "iss" (RFC 7519 §4.1.1, compared as a case-sensitive string). Empty: not checked.
  std::string issuer;
  /// Accepted audiences: "aud" (a string or an array of strings) must contain one of them. Empty: a
  /// token WITH an "aud" claim is refused (RFC 7519 §4.1.3: a recipient that does not identify itself
  /// with a value in "aud" MUST reject), a token without one is accepted.
  std::vector<std::string> audiences;
  /// Clock-skew allowance applied to exp, nbf and iat (RFC 7519 §4.1.4: "some small leeway").
  std::chrono::seconds leeway{60};
  /// Require "exp": an access token that never expires cannot be bounded in a cache nor revoked by time.
  bool require_exp = true;
  /// Claims that must be present (any non-null value).
  std::vector<std::string> required_claims;
  /// The claim naming the user (Identity::user); must be a non-empty string.
  std::string user_claim = "sub";
  /// The claim listing groups (Identity::groups): an array of strings or one space-separated string.
  /// Empty: no groups.
  std::string groups_claim;
  /// The claims Identity::claims keeps, by name; nullopt keeps every one. For a caller that knows which
  /// claims its policies read: each kept claim is a copy made for every new token (the gateway keeps the
  /// names its routes' `claims` ask for, and `jti` for the deny-list).
  std::optional<std::vector<std::string>> kept_claims;
};

/// The claims of a verified token, as the policy layer sees them.
struct CheckedClaims {
  Identity identity;                                                // scheme "Bearer"
  std::optional<std::chrono::system_clock::time_point> expires_at;  // exp, rounded down
};

/// Checks the payload of a verified JWS: a JSON object without duplicate members; exp/nbf/iat are
/// numbers (RFC 7519 §2 NumericDate, fractions allowed) and within leeway of `now`; iss, aud, required
/// claims; then builds the Identity: user from user_claim, groups from groups_claim, scopes from "scope"
/// (space-separated, RFC 9068 §2.2.3) and "scp" (array or string), and Identity::claims from every
/// top-level string, boolean, integer, or array of those (nested objects are left out).
VerifyResult<CheckedClaims> check_claims(std::string_view payload, const ClaimsPolicy& policy,
                                         std::chrono::system_clock::time_point now);

}  // namespace authgate::jose
