// THE status function: every 200/400/401/403/407/429/503 for an authentication outcome is chosen here.
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "authgate/policy/decision.hpp"

namespace authgate::policy {
namespace {

// RFC 9110 §11.6.1 / §11.7.1: an origin server answers 401 with WWW-Authenticate, a proxy 407 with
// Proxy-Authenticate. Nothing else differs between the two sides.
int unauthenticated_status(Side side) noexcept { return side == Side::proxy ? 407 : 401; }

Decision challenge_all(Reason reason, Side side) {
  Decision d;
  d.status = unauthenticated_status(side);
  d.reason = reason;
  d.challenges = ChallengeSet::all;
  return d;
}

std::string join_scopes(const std::vector<std::string>& scopes) {
  std::string joined;
  for (const auto& scope : scopes) {
    if (!joined.empty()) joined += ' ';
    joined += scope;
  }
  return joined;
}

Decision on_authenticated(const Requirement& requirement, const Authenticated& outcome) {
  Decision d;
  d.reason = check_allowed(requirement, *outcome.identity);
  if (d.reason == Reason::ok) return d;
  // Authenticated but not permitted: 403, never 401/407, because new credentials for the same user would
  // not help (RFC 9110 §15.5.4). Naming the missing scopes is RFC 6750 §3.1 insufficient_scope; the
  // allow-list and claims stay silent so the response does not reveal who would be let in.
  d.status = 403;
  // Only a Bearer identity has scopes to add (RFC 6750 §3.1); a Basic user on a route that requires
  // scopes gets a plain 403 — an error="insufficient_scope" Basic challenge would be meaningless.
  if (d.reason == Reason::insufficient_scope && outcome.identity->scheme == "Bearer") {
    d.challenges = ChallengeSet::outcome_scheme;
    d.scheme = outcome.identity->scheme;
    d.extra_params = {{"error", "insufficient_scope"}, {"scope", join_scopes(requirement.scopes)}};
  }
  return d;
}

Decision on_rejected(const Rejected& outcome, Side side) {
  // Well-formed credentials that did not verify: challenge again with every accepted realm so the client
  // may retry (RFC 9110 §11.6.1); the rejecting scheme's challenge carries its error/stale params.
  Decision d = challenge_all(outcome.reason, side);
  d.scheme = outcome.scheme;
  d.extra_params = outcome.challenge_params;
  return d;
}

Decision on_malformed(const Malformed& outcome) {
  // Syntax errors are the client's bug, not a wrong password: 400 (RFC 9110 §15.5.1). Bearer's
  // invalid_request still names its scheme in a challenge (RFC 6750 §3.1).
  Decision d;
  d.status = 400;
  d.reason = outcome.reason;
  if (!outcome.challenge_params.empty()) {
    d.challenges = ChallengeSet::outcome_scheme;
    d.scheme = outcome.scheme;
    d.extra_params = outcome.challenge_params;
  }
  return d;
}

Decision on_throttled(const Throttled& outcome) {
  Decision d;
  d.status = 429;  // RFC 6585 §4
  d.reason = Reason::rate_limited;
  d.retry_after = outcome.retry_after;
  return d;
}

Decision on_unavailable(const Unavailable& outcome) {
  // Broken machinery is the server's fault: 503, never 401, or clients would discard good credentials.
  Decision d;
  d.status = 503;
  d.reason = outcome.reason;
  d.retry_after = outcome.retry_after;  // RFC 9110 §10.2.3: how long the service expects to be unavailable
  return d;
}

}  // namespace

Decision decide(const Requirement& requirement, const Outcome& outcome, Side side) {
  if (requirement.anonymous) {
    Decision d;
    d.reason = Reason::anonymous;
    return d;
  }
  return std::visit(
      [&](const auto& o) -> Decision {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, NoCredentials>) {
          return challenge_all(Reason::no_credentials, side);
        } else if constexpr (std::is_same_v<T, Authenticated>) {
          return on_authenticated(requirement, o);
        } else if constexpr (std::is_same_v<T, Rejected>) {
          return on_rejected(o, side);
        } else if constexpr (std::is_same_v<T, Malformed>) {
          return on_malformed(o);
        } else if constexpr (std::is_same_v<T, Throttled>) {
          return on_throttled(o);
        } else {
          static_assert(std::is_same_v<T, Unavailable>);
          return on_unavailable(o);
        }
      },
      outcome);
}

}  // namespace authgate::policy
