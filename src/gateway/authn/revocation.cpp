// Deny-list keys and the check of a verified identity against them (see revocation.hpp).
#include "gateway/authn/revocation.hpp"

namespace authgate::gateway {

std::string revocation_key(RevokedKind kind, std::string_view value) {
  std::string key = kind == RevokedKind::token_id ? "jti:" : "user:";
  key += value;
  return key;
}

std::optional<Rejected> revocation_of(const stores::StateStore& store, const Identity& identity) {
  if (!store.has_local_denies()) return std::nullopt;
  bool denied = store.denied_locally(revocation_key(RevokedKind::user, identity.user));
  const auto jti = identity.claims.find("jti");
  if (!denied && jti != identity.claims.end() && jti->second.size() == 1) {
    denied = store.denied_locally(revocation_key(RevokedKind::token_id, jti->second.front()));
  }
  if (!denied) return std::nullopt;
  Rejected refusal{Reason::revoked, identity.scheme, {}};
  // RFC 6750 §3.1: a revoked access token is an invalid_token.
  if (identity.scheme == "Bearer") {
    refusal.challenge_params = {{"error", "invalid_token"}, {"error_description", "The token is revoked"}};
  }
  return refusal;
}

}  // namespace authgate::gateway
