// RFC 7515 §5.2 with an algorithm allow-list and bounded key choice.
#include <algorithm>

#include "authgate/jose/jws.hpp"
#include "authgate/jose/signature.hpp"

namespace authgate::jose {
namespace {

// RFC 7515 §4.1.4 / RFC 7517 §4.5: a kid selects the key with exactly that kid; keys configured without a
// kid (a PEM file, an HMAC secret) answer to any kid. With no kid in the token every key is a candidate.
// Only keys usable for the token's alg count (RFC 8725 §3.1: the key's type decides, never the token),
// and at most `limit` are collected so a token without a kid cannot make us try a whole large set.
std::size_t choose_keys(const KeySet& keys, const JoseHeader& header, std::size_t limit,
                        std::vector<const Key*>& out) {
  std::size_t usable = 0;
  const auto consider = [&](const Key* key) {
    if (!key->usable_for(header.alg)) return;
    ++usable;
    if (out.size() < limit) out.push_back(key);
  };
  if (header.kid) {
    if (const Key* named = keys.find(*header.kid)) consider(named);
  }
  for (const auto& key : keys.keys()) {
    if (key->kid().empty() || !header.kid) consider(key.get());
  }
  return usable;
}

}  // namespace

VerifyResult<VerifiedJws> verify_jws(std::string_view token, const KeySet& keys, const JwsPolicy& policy) {
  auto jws = parse_compact(token, policy.max_token_bytes);
  if (!jws) return jws.error();
  const JoseHeader& header = jws->header;
  // RFC 8725 §3.1: the algorithm is the verifier's choice; the token's "alg" must be one we configured.
  if (std::find(policy.algorithms.begin(), policy.algorithms.end(), header.alg) == policy.algorithms.end()) {
    return VerifyErrc::alg_not_allowed;
  }
  if (policy.typ && (!header.typ || !typ_matches(*header.typ, *policy.typ))) return VerifyErrc::bad_type;
  std::vector<const Key*> candidates;
  candidates.reserve(std::min<std::size_t>(policy.max_candidate_keys, 8));
  if (choose_keys(keys, header, policy.max_candidate_keys, candidates) == 0) return VerifyErrc::unknown_key;
  const Key* verified = nullptr;
  for (const Key* key : candidates) {
    if (verify_signature(header.alg, *key, jws->signing_input, jws->signature)) {
      verified = key;
      break;
    }
  }
  if (!verified) return VerifyErrc::bad_signature;
  std::string key_id = verified->kid().empty() ? verified->thumbprint() : verified->kid();
  return VerifiedJws{std::move(jws->header), std::move(jws->payload), std::move(key_id)};
}

}  // namespace authgate::jose
