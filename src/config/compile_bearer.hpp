#pragma once
// compile() for `scheme: bearer` realms: load the local key sources (JWKS, PEM, HMAC secret files) once,
// check them against the realm's algorithms, and build the Bearer scheme over a live key set. Remote
// key sources get an empty live set that the gateway's JWKS refresher fills. Internal to compile.cpp.

#include <map>
#include <memory>
#include <string>

#include "authgate/clock.hpp"
#include "authgate/jose/jwks.hpp"
#include "config/problem.hpp"
#include "config/snapshot.hpp"

namespace authgate::config::detail {

using KeySetMap = std::map<std::string, std::shared_ptr<const jose::KeySet>, std::less<>>;

/// Loads the keys of every bearer realm with a local key source whose file validate() found readable.
/// Errors (unparsable file, no key can verify a configured algorithm, …) and warnings (a JWKS key
/// skipped, with its reason) go to `problems` at the realm's key-source path. Keyed by realm name.
KeySetMap load_bearer_keys(const Config& config, Problems& problems);

/// The claims a verified token's Identity keeps in this config: those some route's `claims` asks for,
/// and `jti` (the deny-list). Any other claim would be copied for nothing on every new token.
std::vector<std::string> claims_in_use(const Config& config);

/// The compiled realm of a validated bearer realm: its scheme over a live key set that holds `keys`
/// (local source) or is empty with `remote` set (jwks / oidc). Its identities keep `kept_claims` only.
CompiledRealm compile_bearer_realm(const Realm& realm, const KeySetMap& keys,
                                   std::shared_ptr<const Clock> clock, std::vector<std::string> kept_claims);

/// The key files of bearer realms (jwks_file, pem_file, hmac_secret_file, remote ca_file), so changing
/// one reloads the configuration (key rotation by file).
void add_bearer_files(const Config& config, std::vector<std::string>& files);

}  // namespace authgate::config::detail
