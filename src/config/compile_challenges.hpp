#pragma once
// compile() for a route's challenges: when none of its schemes varies them (no Digest nonce), the
// challenges of a plain 401/407 are rendered here once, so the request path sends bytes it already has.
// Internal to compile.cpp and compile_forward_proxy.cpp.

#include <optional>
#include <span>

#include "authgate/scheme.hpp"
#include "http/local_reply.hpp"

namespace authgate::config::detail {

/// The rendered challenges of `schemes` (realm order), or nullopt when there are none or one varies.
std::optional<gateway::RenderedChallenges> fixed_challenges_of(std::span<const Scheme* const> schemes);

}  // namespace authgate::config::detail
