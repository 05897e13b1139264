#pragma once
// What a scheme concluded about one request's credentials. policy::decide() turns it into a status.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/identity.hpp"
#include "authgate/reason.hpp"

namespace authgate {

/// The request carried no credentials for this side (no Authorization / Proxy-Authorization).
struct NoCredentials {};

/// Credentials verified. `not_after` bounds how long the verification may be cached (token exp).
/// `info`: auth-params for the response's Authentication-Info (origin) or Proxy-Authentication-Info
/// (proxy) field (RFC 9110 §11.6.3, §11.7.3; Digest's rspauth); empty for most schemes. The
/// identity is shared, never copied: every request answered from the verify cache gets the same
/// immutable Identity (its claims map, groups and scopes would otherwise be copied per request).
struct Authenticated {
  using TimePoint = std::chrono::system_clock::time_point;
  Authenticated(Identity who, std::optional<TimePoint> until = std::nullopt)  // NOLINT: implicit on purpose
      : identity(std::make_shared<const Identity>(std::move(who))), not_after(until) {}
  explicit Authenticated(std::shared_ptr<const Identity> who, std::optional<TimePoint> until = std::nullopt)
      : identity(std::move(who)), not_after(until) {}

  std::shared_ptr<const Identity> identity;  // never null
  std::optional<TimePoint> not_after;
  std::vector<grammar::AuthParam> info;  // per request: never cached
};

/// Well-formed credentials that did not verify → 401. `challenge_params` are added to this scheme's
/// challenge (e.g. error="invalid_token", stale=true).
struct Rejected {
  Reason reason;
  std::string scheme;
  std::vector<grammar::AuthParam> challenge_params;
};

/// Credentials that break the syntax → 400 (RFC 6750 §3.1 invalid_request; RFC 7617 bad base64/colon).
struct Malformed {
  Reason reason;
  std::string scheme;
  std::vector<grammar::AuthParam> challenge_params;
};

/// Too many failures from this client or for this user → 429 + Retry-After.
struct Throttled {
  std::chrono::seconds retry_after;
};

/// The machinery broke (store, keys, introspection endpoint), or is too busy (overloaded) → 5xx, never 401.
/// `retry_after`: when to try again, for the 503's Retry-After; 0 = no estimate (sent as 1 s).
struct Unavailable {
  Reason reason;
  std::chrono::seconds retry_after{0};
};

using Outcome = std::variant<NoCredentials, Authenticated, Rejected, Malformed, Throttled, Unavailable>;

}  // namespace authgate
