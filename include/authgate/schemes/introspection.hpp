#pragma once
// The Bearer scheme for opaque tokens: RFC 7662 token introspection. The token is POSTed to the
// authorization server's introspection endpoint with the realm's client credentials; `active` decides.
// Verification is a network call, so the scheme's work is Work::waits: the gateway awaits it on its I/O
// thread (no pool thread), with single-flight per token, and caches the result until min(exp,
// cache_ttl). Refusals are cached here, for negative_cache_ttl, so one bad token repeated costs one
// call. At most max_in_flight calls wait at once: a flood of fresh tokens against a slow endpoint gets
// quick 503s instead of piling up connections to it.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "authgate/clock.hpp"
#include "authgate/scheme.hpp"

namespace authgate::schemes {

struct IntrospectionOptions {
  std::string realm;          // realm="…" in every challenge (RFC 6750 §3)
  std::string scope;          // optional scope="…" in every challenge
  std::string url;            // the introspection endpoint (https, or http to loopback)
  std::string client_id;      // HTTP Basic credentials of the gateway as an OAuth client
  std::string client_secret;  // read from the configured file; never logged
  std::chrono::milliseconds cache_ttl{60'000};
  std::chrono::milliseconds negative_cache_ttl{5'000};  // refusals (inactive, expired, …); 0 = not cached
  std::size_t negative_cache_entries = 4096;            // oldest refusal dropped first when full
  std::chrono::milliseconds timeout{2'000};             // the whole exchange, connecting included
  std::size_t max_idle_connections = 4;                 // kept-alive connections to the endpoint; 0 = none
  std::size_t max_in_flight = 64;  // authenticate_async calls awaiting the endpoint at once; more → 503
  std::chrono::milliseconds idle_timeout{15'000};  // a kept connection unused this long is closed
  std::string ca_file;                             // empty = system trust store
  std::string issuer;                              // when set, the response's `iss` must equal it
  std::vector<std::string> audiences;              // when set, the response's `aud` must contain one
  std::string user_claim = "sub";                  // falls back to `username` (RFC 7662 §2.2) when absent
  std::string groups_claim;
  std::chrono::seconds leeway{60};  // clock skew for exp / nbf / iat in the answer, as for JWTs
  std::size_t max_token_bytes = std::size_t{16} * 1024;
};

/// Builds the introspection scheme for one realm. Outcomes as the JWT Bearer scheme (bearer.hpp), plus:
///  - endpoint unreachable, timeout, non-200, unparsable reply → Unavailable (503, logged), never 401
///  - `active: false`                                          → Rejected invalid_token
///    (this and the other refusals below are remembered for negative_cache_ttl: no second call)
///  - otherwise → Authenticated {identity from sub/username, scope, groups; not_after = min(exp, ttl)}
std::shared_ptr<const Scheme> make_introspection_scheme(
    IntrospectionOptions options, std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>());

}  // namespace authgate::schemes
