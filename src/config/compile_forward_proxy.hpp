#pragma once
// compile() for forward-proxy listeners (the route every request on such a listener is judged by, and
// its rules parsed once) and for forward-auth listeners (their original-request style and trusted
// sources). Internal to compile.cpp.

#include "config/snapshot.hpp"

namespace authgate::config::detail {

/// Fills `snapshot.forward_proxies` (one per forward-proxy listener; validate() passed). Realms must be
/// built already: the routes point into Snapshot::realms.
void build_forward_proxies(Snapshot& snapshot);

/// Fills `snapshot.forward_auths` (one per forward-auth listener; validate() passed).
void build_forward_auths(Snapshot& snapshot);

}  // namespace authgate::config::detail
