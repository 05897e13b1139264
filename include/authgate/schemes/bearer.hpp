#pragma once
// The Bearer scheme, RFC 6750: `Authorization: Bearer <b64token>` carrying a compact JWS (JWT) verified
// inline against the realm's current key set (RFC 7515, RFC 7519, RFC 8725).

#include <memory>
#include <string>

#include "authgate/clock.hpp"
#include "authgate/jose/jwks.hpp"
#include "authgate/jose/verify.hpp"
#include "authgate/scheme.hpp"
#include "authgate/schemes/key_refetch.hpp"

namespace authgate::schemes {

struct BearerOptions {
  std::string realm;          // realm="…" in every challenge (RFC 6750 §3)
  std::string scope;          // optional scope="…" in every challenge (RFC 6750 §3); empty = none
  jose::VerifyPolicy policy;  // algorithms, typ, issuer, audiences, leeway, claim mapping, limits
};

/// Builds the Bearer scheme for one realm. The keys are read from `keys` once per verification, so a
/// JWKS refresher may call `keys->replace()` at any time without rebuilding the scheme; generation()
/// follows the current key set. Thread-safe. The clock pins exp/nbf/iat in tests. With `refetch` (remote
/// keys), a token naming a kid the set lacks asks for a refetch; while one can run soon, work() says
/// Work::waits and authenticate_async() answers once that refetch has ended, against the new set.
///  - credentials of another scheme                → Rejected scheme_not_accepted
///  - no token, auth-params, or not a b64token     → Malformed malformed_header, error="invalid_request"
///                                                   (RFC 6750 §2.1, §3.1)
///  - no key set loaded yet                        → Unavailable keys_unavailable (5xx, never 401)
///  - the token fails verification                 → Rejected <jose::to_reason>, error="invalid_token",
///                                                   error_description=<jose::describe> (RFC 6750 §3.1)
///  - otherwise                                    → Authenticated {identity, not_after = exp}
std::shared_ptr<const Scheme> make_bearer_scheme(
    BearerOptions options, std::shared_ptr<const jose::LiveKeySet> keys,
    std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>(),
    std::shared_ptr<const KeyRefetchSlot> refetch = nullptr);

}  // namespace authgate::schemes
