// Challenge collection, beside decide(): which challenges a 400/401/403/407 carries, in realm order.
#include "authgate/policy/challenges.hpp"

#include "authgate/grammar/parse.hpp"

namespace authgate::policy {
namespace {

void add_params(grammar::Challenge& challenge, const std::vector<grammar::AuthParam>& extra) {
  for (const auto& param : extra) {
    bool replaced = false;
    for (auto& existing : challenge.params) {
      if (existing.name == param.name) {
        existing.value = param.value;
        replaced = true;
      }
    }
    if (!replaced) challenge.params.push_back(param);
  }
}

}  // namespace

std::vector<grammar::Challenge> collect_challenges(const Decision& decision,
                                                   std::span<const Scheme* const> schemes,
                                                   const ChallengeContext& context) {
  std::vector<grammar::Challenge> out;
  if (decision.challenges == ChallengeSet::none) return out;
  bool extras_added = false;
  for (const auto* scheme : schemes) {
    const bool is_outcome_scheme =
        !decision.scheme.empty() && grammar::iequals(scheme->name(), decision.scheme);
    if (decision.challenges == ChallengeSet::outcome_scheme && !is_outcome_scheme) continue;
    auto challenges = scheme->challenges(context);
    // The outcome's params (error="invalid_token", stale=true) go on the challenges of the first realm of
    // its scheme only (all of them: a Digest realm offers one per algorithm, and stale=true is true of each).
    if (is_outcome_scheme && !extras_added) {
      for (auto& challenge : challenges) add_params(challenge, decision.extra_params);
      extras_added = true;
    }
    for (auto& challenge : challenges) out.push_back(std::move(challenge));
  }
  return out;
}

}  // namespace authgate::policy
