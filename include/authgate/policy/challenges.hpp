#pragma once
// The challenges that go with a Decision (RFC 9110 §11.6.1: one per realm the route accepts). Schemes
// give their challenges as data; the reply renders them as WWW-Authenticate or Proxy-Authenticate.

#include <span>
#include <vector>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/policy/decision.hpp"
#include "authgate/scheme.hpp"

namespace authgate::policy {

/// The challenges `decision` asks for, in the route's realm order. `schemes` are the route's realms'
/// schemes. ChallengeSet::all → every challenge of every scheme (Scheme::challenges); outcome_scheme →
/// only those of schemes named like `decision.scheme`. The challenges of the first realm of the outcome's
/// scheme get `decision.extra_params` (replacing a param of the same name).
std::vector<grammar::Challenge> collect_challenges(const Decision& decision,
                                                   std::span<const Scheme* const> schemes,
                                                   const ChallengeContext& context);

}  // namespace authgate::policy
