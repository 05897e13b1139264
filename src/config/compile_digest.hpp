#pragma once
// compile() for `scheme: digest` realms: htdigest stores loaded (file:line errors), each realm's store
// checked to hold an HA1 for every hash its algorithms need, and the schemes built over the process's
// nonce secret and state store. Internal to compile.cpp.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "authgate/stores/digest_store.hpp"
#include "authgate/stores/group_file.hpp"
#include "authgate/stores/state_store.hpp"
#include "config/problem.hpp"
#include "config/snapshot.hpp"

namespace authgate::config::detail {

struct LoadedDigestStore {
  std::shared_ptr<const stores::DigestStore> store;
  std::shared_ptr<const stores::GroupsByUser> groups;  // null without a group file
};
using DigestStoreMap = std::map<std::string, LoadedDigestStore, std::less<>>;

/// Loads each htdigest store whose files validate() found readable, and refuses (error at the store
/// file's line) a digest realm whose store has a user of that realm without an HA1 one of the realm's
/// algorithms needs.
DigestStoreMap load_digest_stores(const Config& config, std::uint64_t generation, Problems& problems);

/// The compiled realm of a validated digest realm. `state`: where nonce counts live (shared by every
/// snapshot of the process, so a reload forgets no count).
CompiledRealm compile_digest_realm(const Realm& realm, const DigestStoreMap& stores,
                                   std::shared_ptr<stores::StateStore> state);

/// The process's default state store: in memory, created on first use, kept across reloads.
std::shared_ptr<stores::StateStore> process_state_store();

/// Nonce secret files, so replacing one reloads the configuration.
void add_digest_files(const Config& config, std::vector<std::string>& files);

}  // namespace authgate::config::detail
