#pragma once
// compile() for bearer realms with `introspection:` (RFC 7662 opaque tokens): the client secret is read
// from its file once, handed to the scheme and wiped here. Internal to compile.cpp.

#include <memory>
#include <string>
#include <vector>

#include "authgate/clock.hpp"
#include "config/snapshot.hpp"

namespace authgate::config::detail {

/// The compiled realm of a validated bearer realm with `introspection` set:
/// schemes::make_introspection_scheme with the realm's challenge, issuer/audiences, user and groups claims
/// and the client credentials. A secret file that vanished since validate() gives an empty secret (the server
/// then refuses the gateway and the realm answers 503, which the log explains).
CompiledRealm compile_introspection_realm(const Realm& realm, std::shared_ptr<const Clock> clock);

/// The introspection client secret and CA files, so replacing one reloads the configuration.
void add_introspection_files(const Config& config, std::vector<std::string>& files);

}  // namespace authgate::config::detail
