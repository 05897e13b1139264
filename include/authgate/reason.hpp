#pragma once
// Why a request got the answer it got. A closed set: the names go to the access log and metrics, never
// into response bodies (Envoy's lesson: internal detail stays internal).

#include <cstdint>
#include <string_view>

namespace authgate {

enum class Reason : std::uint8_t {
  ok,                     // authenticated and allowed
  anonymous,              // route needs no authentication
  no_credentials,         // no Authorization field
  scheme_not_accepted,    // credentials of a scheme the route does not accept
  malformed_header,       // Authorization does not parse (RFC 9110 §11.6.2)
  duplicate_credentials,  // two Authorization fields, or a token in two places (RFC 6750 §2)
  bad_base64,             // Basic token68 is not strict base64
  missing_colon,          // Basic user-pass without ':' (RFC 7617 §2)
  bad_user_id,            // control characters in a user-id or password
  unknown_user,           // costs the same as wrong_password; never told apart on the wire
  wrong_password,
  unsupported_hash,    // the store holds a hash format we refuse (plaintext, DES) for this route
  user_not_allowed,    // authenticated, but not in the route's users/groups → 403
  insufficient_scope,  // Bearer: lacks a required scope → 403 (RFC 6750 §3.1)
  claim_mismatch,      // Bearer: a required claim value is absent → 403
  invalid_token,       // Bearer: does not parse or verify
  token_expired,
  token_not_yet_valid,
  bad_signature,
  unknown_key,
  bad_issuer,
  bad_audience,
  alg_not_allowed,
  token_inactive,     // introspection said active=false
  revoked,            // verified, but its token id (jti) or its user is on the deny-list → 401
  unsafe_identity,    // a verified user or group name that no header field may carry (CR, LF, ',' …)
  stale_nonce,        // Digest nonce expired: 401 with stale=true
  nonce_replayed,     // Digest: an nc not above every nc seen for its nonce: 401 with stale=true
  bad_nonce,          // Digest: a nonce or opaque this realm did not issue, or one altered
  wrong_realm,        // Digest: credentials for another protection space
  uri_mismatch,       // Digest: `uri` does not name the request target → 400 (RFC 7616 §3.4.6)
  rate_limited,       // too many failures → 429
  store_unavailable,  // machinery broke → 5xx, never 401
  keys_unavailable,
  introspection_unavailable,
  route_not_found,
  method_not_allowed,
  bad_request,
  request_too_large,
  header_too_large,
  uri_too_long,
  request_timeout,
  destination_not_allowed,  // forward proxy: the user's rule does not allow this host, port or method → 403
  destination_internal,     // forward proxy: the destination resolves only to internal addresses → 403
  untrusted_source,         // forward-auth: asked by a peer outside trusted_sources → 403, nothing judged
  bad_forwarded_request,  // forward-auth: the original request's fields are missing, repeated or invalid →
                          // 400
  upstream_unreachable,
  upstream_timeout,
  upstream_error,
  internal_error,
  overloaded,  // the password-hashing queue is full → 503 + Retry-After
};

/// snake_case name of the reason, e.g. "wrong_password".
std::string_view to_string(Reason reason) noexcept;

}  // namespace authgate
