#pragma once
// One call from a compact JWT to an Identity: the JWS layer (algorithms, key choice, signature) and the
// claims layer, in that order, so no claim is ever read from a token whose signature did not verify.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/identity.hpp"
#include "authgate/jose/claims.hpp"
#include "authgate/jose/error.hpp"
#include "authgate/jose/jwks.hpp"
#include "authgate/jose/jws.hpp"

namespace authgate::jose {

/// Everything one issuer (or realm) requires of its tokens.
struct VerifyPolicy {
  JwsPolicy jws;
  ClaimsPolicy claims;
};

struct VerifiedToken {
  Identity identity;
  std::optional<std::chrono::system_clock::time_point> expires_at;
  Alg alg = Alg::rs256;
  std::string key_id;  // kid (or RFC 7638 thumbprint) of the key that verified, for the access log
};

/// verify_jws, then check_claims on the payload. Pure and thread-safe; `now` comes from the caller's
/// Clock so tests pin it.
VerifyResult<VerifiedToken> verify_token(std::string_view token, const KeySet& keys,
                                         const VerifyPolicy& policy,
                                         std::chrono::system_clock::time_point now);

/// Configuration problems of a policy with its keys, one sentence each (empty = fine): no algorithm,
/// an algorithm no key can verify, an HMAC secret too short for an accepted HS algorithm (RFC 7518
/// §3.2), HMAC and public-key algorithms accepted together (RFC 8725 §3.1). For config validation.
std::vector<std::string> check_policy(const VerifyPolicy& policy, const KeySet& keys);

}  // namespace authgate::jose
