// Snapshot::match: first match wins, in config order.
#include "config/snapshot.hpp"

#include "config/route_match.hpp"

namespace authgate::config {

const CompiledRoute* Snapshot::match(std::string_view host, std::string_view path,
                                     std::string_view method) const noexcept {
  for (const CompiledRoute& route : routes) {
    if (request_matches(route.source->match, host, path, method)) return &route;
  }
  return nullptr;
}

}  // namespace authgate::config
