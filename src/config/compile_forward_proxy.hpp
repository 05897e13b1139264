#pragma once
// compile() for forward-proxy listeners: the route every request on such a listener is judged by, and its
// rules parsed once. Internal to compile.cpp.

#include "config/snapshot.hpp"

namespace authgate::config::detail {

/// Fills `snapshot.forward_proxies` (one per forward-proxy listener; validate() passed). Realms must be
/// built already: the routes point into Snapshot::realms.
void build_forward_proxies(Snapshot& snapshot);

}  // namespace authgate::config::detail
