#pragma once
// THE function that chooses a status code. Nothing else in authgate picks 400/401/403/407/429/5xx for an
// authentication outcome.

#include <chrono>
#include <string>
#include <vector>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/outcome.hpp"
#include "authgate/policy/requirement.hpp"
#include "authgate/reason.hpp"

namespace authgate::policy {

/// Origin server (401, WWW-Authenticate, Authorization) or proxy (407, Proxy-Authenticate,
/// Proxy-Authorization) — RFC 9110 §11.6 vs §11.7. The only difference is this parameter.
enum class Side : unsigned char { origin, proxy };

/// Which challenges go with the response.
enum class ChallengeSet : unsigned char {
  none,            // 400 without a scheme to blame, 403 from the allow-list, 429, 5xx
  all,             // 401/407: one challenge per realm the route accepts (RFC 9110 §11.6.1)
  outcome_scheme,  // only the scheme that produced the outcome (RFC 6750 §3: 400 invalid_request,
                   // 403 insufficient_scope)
};

struct Decision {
  int status = 200;  // 200 = allowed: forward the request
  Reason reason = Reason::ok;
  ChallengeSet challenges = ChallengeSet::none;
  /// The scheme that produced the outcome (e.g. "Bearer"); its challenge gets `extra_params`.
  std::string scheme;
  std::vector<grammar::AuthParam> extra_params;
  std::chrono::seconds retry_after{0};  // 429 and 503: Retry-After
  bool allowed() const noexcept { return status == 200; }
};

/// Turns a scheme outcome into the answer for the route.
///  NoCredentials → 401/407 + all challenges (or 200 when the route is anonymous)
///  Rejected → 401/407 + all challenges, the rejecting scheme's with its params
///  Malformed → 400 (+ the scheme's challenge when it has params, e.g. Bearer invalid_request)
///  Authenticated → 200, or 403 when the allow-list, scopes or claims say no
///  Throttled → 429 + Retry-After; Unavailable → 503 (+ its retry_after)
Decision decide(const Requirement& requirement, const Outcome& outcome, Side side);

/// Whether the identity satisfies users/groups (any listed) and scopes/claims (all listed).
Reason check_allowed(const Requirement& requirement, const Identity& identity);

}  // namespace authgate::policy
