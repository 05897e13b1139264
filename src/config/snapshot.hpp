#pragma once
// The compiled, immutable runtime form of a Config: what the gateway reads on every request. Built by
// compile() after validate() passed; swapped whole on reload (shared_ptr<const Snapshot>), so requests
// in flight finish on the snapshot they started with.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/policy/requirement.hpp"
#include "authgate/scheme.hpp"
#include "authgate/stores/password_store.hpp"
#include "config/model.hpp"

namespace authgate::config {

struct CompiledRealm {
  std::string name;
  std::shared_ptr<const Scheme> scheme;
};

struct CompiledRoute {
  const Route* source = nullptr;      // points into Snapshot::config
  const Upstream* upstream = nullptr; // points into Snapshot::config; nullptr only for the demo echo
  policy::Requirement requirement;
  std::vector<const CompiledRealm*> realms;  // challenge order; points into Snapshot::realms
  std::uint64_t max_body_bytes = 0;          // 0 = unlimited
};

struct Snapshot {
  Config config;
  std::vector<CompiledRealm> realms;
  std::vector<CompiledRoute> routes;
  std::vector<std::shared_ptr<const stores::PasswordStore>> stores;
  std::uint64_t generation = 0;           // increases with every successful (re)load
  std::vector<std::string> watched_files; // config + every store/group/cert file, for reload on change
  std::vector<std::string> warnings;      // e.g. Basic on a non-loopback plain listener

  /// First route whose host, path and method match, or nullptr. `host` without port.
  const CompiledRoute* match(std::string_view host, std::string_view path, std::string_view method) const;
};

}  // namespace authgate::config
