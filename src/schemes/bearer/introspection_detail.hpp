#pragma once
// The pure parts of RFC 7662 token introspection (internal to the schemes layer): the request body and
// client credentials, and what a response means. Tested and fuzzed directly.

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/outcome.hpp"

namespace authgate::schemes::detail {

/// Introspection responses larger than this are refused (an active-token answer is a few hundred bytes).
inline constexpr std::size_t max_introspection_response_bytes = std::size_t{64} * 1024;

/// application/x-www-form-urlencoded (HTML form encoding, as RFC 6749 Appendix B uses): ALPHA / DIGIT /
/// "*-._" kept, space → '+', every other byte → %XX (upper-case hex).
std::string form_urlencode(std::string_view value);

/// `token=<t>&token_type_hint=access_token` (RFC 7662 §2.1).
std::string introspection_request_body(std::string_view token);

/// `Basic base64(urlencode(id) ":" urlencode(secret))`: RFC 6749 §2.3.1 encodes the client id and
/// secret with form encoding before RFC 7617 Basic, so ':' and non-ASCII in either survive.
std::string basic_client_credentials(std::string_view client_id, std::string_view client_secret);

struct IntrospectionPolicy {
  std::string issuer;                  // when set, `iss` must equal it exactly
  std::vector<std::string> audiences;  // when set, `aud` must contain one; when empty, `aud` is ignored
  std::string user_claim = "sub";      // falls back to `username` (RFC 7662 §2.2) when absent
  std::string groups_claim;
  std::chrono::seconds leeway{60};  // for exp / nbf / iat, as for JWTs
};

/// What a 200 response of the introspection endpoint means (RFC 7662 §2.2):
///  - not one strict JSON object (≤ 64 KiB, no duplicate members), or `active` absent or not a boolean
///    → Unavailable introspection_unavailable (the server misbehaves; 503, never 401)
///  - `active: false` → Rejected token_inactive, error="invalid_token"
///  - `active: true`, but exp passed, nbf ahead, iss / aud not as configured, no user → Rejected
///    (the matching Reason), error="invalid_token"
///  - otherwise Authenticated {user from user_claim or `username`, groups, `scope`, claims;
///    not_after = min(exp, now + cache_ttl)}
Outcome interpret_introspection(std::string_view body, const IntrospectionPolicy& policy,
                                std::chrono::system_clock::time_point now,
                                std::chrono::milliseconds cache_ttl);

}  // namespace authgate::schemes::detail
