// A route's fixed challenges, rendered once (see compile_challenges.hpp).
#include "config/compile_challenges.hpp"

#include <algorithm>
#include <chrono>

#include "authgate/grammar/serialize.hpp"
#include "authgate/policy/challenges.hpp"

namespace authgate::config::detail {

std::optional<gateway::RenderedChallenges> fixed_challenges_of(std::span<const Scheme* const> schemes) {
  if (schemes.empty() ||
      std::any_of(schemes.begin(), schemes.end(), [](const Scheme* s) { return s->challenges_vary(); })) {
    return std::nullopt;
  }
  // The same call the request path would make for a 401 without extra params (policy::collect_challenges).
  policy::Decision plain;
  plain.challenges = policy::ChallengeSet::all;
  const ChallengeContext context{std::chrono::system_clock::now(), false};
  gateway::RenderedChallenges rendered;
  for (const auto& challenge : policy::collect_challenges(plain, schemes, context)) {
    rendered.values.push_back(grammar::to_field(challenge));
    rendered.joined.append(rendered.joined.empty() ? "" : ", ").append(rendered.values.back());
  }
  if (rendered.values.empty()) return std::nullopt;
  return rendered;
}

}  // namespace authgate::config::detail
