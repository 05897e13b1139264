// The whole verification, and the load-time sanity check of a policy against its keys.
#include "authgate/jose/verify.hpp"

#include <algorithm>
#include <string>

namespace authgate::jose {

VerifyResult<VerifiedToken> verify_token(std::string_view token, const KeySet& keys,
                                         const VerifyPolicy& policy,
                                         std::chrono::system_clock::time_point now) {
  auto jws = verify_jws(token, keys, policy.jws);
  if (!jws) return jws.error();
  auto claims = check_claims(jws->payload, policy.claims, now);
  if (!claims) return claims.error();
  return VerifiedToken{std::move(claims->identity), claims->expires_at, jws->header.alg,
                       std::move(jws->key_id)};
}

std::vector<std::string> check_policy(const VerifyPolicy& policy, const KeySet& keys) {
  std::vector<std::string> problems;
  const auto& algs = policy.jws.algorithms;
  if (algs.empty()) problems.push_back("no algorithm is accepted");
  const bool hmac = std::any_of(algs.begin(), algs.end(), [](Alg a) { return alg_fits(a, KeyType::oct); });
  const bool asymmetric =
      std::any_of(algs.begin(), algs.end(), [](Alg a) { return !alg_fits(a, KeyType::oct); });
  if (hmac && asymmetric) {
    problems.push_back("HMAC and public-key algorithms are accepted together; accept one kind per issuer");
  }
  for (const Alg alg : algs) {
    const auto& all = keys.keys();
    if (std::none_of(all.begin(), all.end(), [&](const auto& key) { return key->usable_for(alg); })) {
      std::string problem = "no key can verify " + std::string(to_string(alg));
      const bool short_secret = std::any_of(all.begin(), all.end(), [&](const auto& key) {
        return key->type() == KeyType::oct && key->secret().size() < hash_length(alg);
      });
      if (short_secret) {
        problem += " (the HMAC secret is shorter than " + std::to_string(hash_length(alg)) + " bytes)";
      }
      problems.push_back(std::move(problem));
    }
  }
  return problems;
}

}  // namespace authgate::jose
