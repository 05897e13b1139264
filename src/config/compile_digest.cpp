// compile() for digest realms (see compile_digest.hpp).
#include "config/compile_digest.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "authgate/clock.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/group_file.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "config/secret_file.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {
namespace {

using schemes::digest::Algorithm;

std::vector<Algorithm> algorithms_of(const DigestRealm& digest) {
  std::vector<Algorithm> out;
  for (const auto& name : digest.algorithms) {
    if (auto algorithm = schemes::digest::parse_algorithm(name)) out.push_back(*algorithm);
  }
  return out;
}

/// One random secret per process: nonces stay valid across reloads, and die with the process.
const std::string& process_secret() {
  static const std::string secret = [] {
    std::string bytes(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("digest: no randomness for the nonce secret");
    }
    return bytes;
  }();
  return secret;
}

void check_coverage(const Config& config, const DigestStoreMap& loaded, Problems& problems) {
  for (const Realm& realm : config.realms) {
    if (realm.scheme != "digest") continue;
    const auto it = loaded.find(realm.store);
    if (it == loaded.end()) continue;
    const Store* store = nullptr;
    for (const auto& s : config.stores) {
      if (s.name == realm.store) store = &s;
    }
    bool reported = false;
    for (const Algorithm algorithm : algorithms_of(realm.digest)) {
      const auto family = schemes::stored_hash_of(algorithm);
      const stores::DigestRecord* missing = it->second.store->realms_missing(family, realm.realm);
      if (missing == nullptr || reported) continue;
      reported = true;  // one line is enough to send the operator to `authgate passwd --digest`
      problems.push_back(Problem{
          Severity::error, SourcePos{store != nullptr ? store->path : std::string(), missing->line, 1},
          "realms." + realm.name,
          "user " + in_quotes(missing->user) + " of realm " + in_quotes(realm.realm) + " has no " +
              std::string(stores::to_string(family)) + " HA1, which algorithm " +
              std::string(schemes::digest::to_string(algorithm)) +
              " needs (authgate passwd --digest --algorithms …)"});
    }
  }
}

}  // namespace

DigestStoreMap load_digest_stores(const Config& config, std::uint64_t generation, Problems& problems) {
  DigestStoreMap loaded;
  for (const Store& store : config.stores) {
    if (store.type != "htdigest" || unreadable_file_problem(store.path)) continue;
    LoadedDigestStore entry;
    if (!store.groups_path.empty()) {
      if (unreadable_file_problem(store.groups_path)) continue;
      auto text = stores::read_store_file(store.groups_path, stores::FileLimits{}.max_file_bytes);
      if (!text) {
        const stores::LoadError& e = text.error();
        problems.push_back(
            Problem{Severity::error, SourcePos{e.file, e.line, e.column}, "stores." + store.name, e.reason});
        continue;
      }
      auto groups = stores::parse_group_file(*text, store.groups_path);
      if (!groups) {
        const stores::LoadError& e = groups.error();
        problems.push_back(
            Problem{Severity::error, SourcePos{e.file, e.line, e.column}, "stores." + store.name, e.reason});
        continue;
      }
      entry.groups = std::make_shared<const stores::GroupsByUser>(std::move(*groups));
    }
    auto result = stores::load_digest_store(store.path, generation);
    if (!result) {
      const stores::LoadError& e = result.error();
      problems.push_back(
          Problem{Severity::error, SourcePos{e.file, e.line, e.column}, "stores." + store.name, e.reason});
      continue;
    }
    entry.store = std::move(*result);
    loaded.emplace(store.name, std::move(entry));
  }
  check_coverage(config, loaded, problems);
  return loaded;
}

CompiledRealm compile_digest_realm(const Realm& realm, const DigestStoreMap& stores,
                                   std::shared_ptr<stores::StateStore> state) {
  // validate() checked the store exists and is htdigest; load_digest_stores() loaded it.
  const LoadedDigestStore& loaded = stores.find(realm.store)->second;
  schemes::DigestOptions options;
  options.realm = realm.realm;
  options.algorithms = algorithms_of(realm.digest);
  options.qop_auth =
      std::find(realm.digest.qop.begin(), realm.digest.qop.end(), "auth") != realm.digest.qop.end();
  options.qop_auth_int =
      std::find(realm.digest.qop.begin(), realm.digest.qop.end(), "auth-int") != realm.digest.qop.end();
  options.userhash = realm.digest.userhash;
  options.nonce_lifetime = std::chrono::duration_cast<std::chrono::seconds>(realm.digest.nonce_lifetime);
  options.secret = realm.digest.nonce_secret_file.empty() ? process_secret()
                                                          : read_secret_file(realm.digest.nonce_secret_file);
  return CompiledRealm{
      realm.name,
      schemes::make_digest_scheme(std::move(options), loaded.store, std::move(state), loaded.groups), nullptr,
      nullptr, nullptr};
}

std::shared_ptr<stores::StateStore> process_state_store() {
  static const std::shared_ptr<stores::StateStore> store =
      stores::make_memory_state_store(std::make_shared<SystemClock>());
  return store;
}

void add_digest_files(const Config& config, std::vector<std::string>& files) {
  for (const Realm& realm : config.realms) {
    const auto& path = realm.digest.nonce_secret_file;
    if (realm.scheme == "digest" && !path.empty() &&
        std::find(files.begin(), files.end(), path) == files.end()) {
      files.push_back(path);
    }
  }
}

}  // namespace authgate::config::detail
