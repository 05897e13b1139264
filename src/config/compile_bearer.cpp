// compile() for bearer realms: keys loaded and checked once, the scheme built over a live key set.
#include "config/compile_bearer.hpp"

#include <algorithm>

#include "authgate/schemes/bearer.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {
namespace {

jose::VerifyPolicy policy_of(const BearerRealm& b) {
  jose::VerifyPolicy policy;
  for (const auto& name : b.algorithms) {
    if (auto alg = jose::parse_alg(name)) policy.jws.algorithms.push_back(*alg);
  }
  if (!b.typ.empty()) policy.jws.typ = b.typ;
  policy.jws.max_token_bytes = b.max_token_bytes;
  policy.claims.issuer = b.issuer;
  policy.claims.audiences = b.audiences;
  policy.claims.leeway = std::chrono::duration_cast<std::chrono::seconds>(b.leeway);
  policy.claims.require_exp = b.require_exp;
  policy.claims.required_claims = b.required_claims;
  policy.claims.user_claim = b.user_claim;
  policy.claims.groups_claim = b.groups_claim;
  return policy;
}

struct LocalSource {
  const char* key = nullptr;
  const std::string* file = nullptr;
};

LocalSource local_source(const BearerRealm& b) {
  if (!b.jwks_file.empty()) return {"jwks_file", &b.jwks_file};
  if (!b.pem_file.empty()) return {"pem_file", &b.pem_file};
  if (!b.hmac_secret_file.empty()) return {"hmac_secret_file", &b.hmac_secret_file};
  return {};
}

void add(Problems& problems, const Config& config, Severity severity, const std::string& path,
         std::string reason) {
  problems.push_back(Problem{severity, position_of(config, path), path, std::move(reason)});
}

// One key set from the realm's local file; nullptr after reporting why not.
std::shared_ptr<const jose::KeySet> load_local(const Config& config, const BearerRealm& b,
                                               const LocalSource& source, const std::string& path,
                                               Problems& problems) {
  const std::string at = path + "." + source.key;
  if (source.key == std::string_view("jwks_file")) {
    auto loaded = jose::load_jwks_file(*source.file);
    if (!loaded) {
      add(problems, config, Severity::error, at, "cannot use the JWKS: " + loaded.error().message());
      return nullptr;
    }
    for (const auto& skipped : loaded->skipped) {
      // RFC 7517 §5: a set may hold keys we cannot use; the others stay usable, so this is a warning.
      add(problems, config, Severity::warning, at,
          "key " + std::to_string(skipped.index) +
              (skipped.kid.empty() ? "" : " (kid " + in_quotes(skipped.kid) + ")") +
              " skipped: " + skipped.error.message());
    }
    return loaded->keys;
  }
  auto key = source.key == std::string_view("pem_file") ? jose::load_pem_file(*source.file, b.key_id)
                                                        : jose::load_secret_file(*source.file, b.key_id);
  if (!key) {
    add(problems, config, Severity::error, at, "cannot use the key: " + key.error().message());
    return nullptr;
  }
  return std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key});
}

}  // namespace

KeySetMap load_bearer_keys(const Config& config, Problems& problems) {
  KeySetMap loaded;
  for (const Realm& realm : config.realms) {
    if (to_lower(realm.scheme) != "bearer") continue;
    const LocalSource source = local_source(realm.bearer);
    if (source.key == nullptr || unreadable_file_problem(*source.file)) continue;
    const std::string path = "realms." + realm.name;
    auto keys = load_local(config, realm.bearer, source, path, problems);
    if (!keys) continue;
    const auto policy = policy_of(realm.bearer);
    // Only when the algorithms themselves are valid (validate() names the bad ones): then every
    // accepted algorithm must have a key that can verify it, or the realm would refuse every token.
    if (policy.jws.algorithms.size() == realm.bearer.algorithms.size()) {
      for (auto& problem : jose::check_policy(policy, *keys)) {
        if (problem.starts_with("no key can verify")) {
          add(problems, config, Severity::error, path + "." + source.key, problem + " of 'algorithms'");
        }
      }
    }
    loaded.emplace(realm.name, std::move(keys));
  }
  return loaded;
}

std::vector<std::string> claims_in_use(const Config& config) {
  std::vector<std::string> names{"jti"};
  for (const Route& route : config.routes) {
    for (const auto& claim : route.claims) {
      if (std::find(names.begin(), names.end(), claim.first) == names.end()) names.push_back(claim.first);
    }
  }
  return names;
}

CompiledRealm compile_bearer_realm(const Realm& realm, const KeySetMap& keys,
                                   std::shared_ptr<const Clock> clock, std::vector<std::string> kept_claims) {
  const BearerRealm& b = realm.bearer;
  schemes::BearerOptions options{realm.realm, b.scope, policy_of(b)};
  options.policy.claims.kept_claims = std::move(kept_claims);
  CompiledRealm compiled{realm.name, nullptr, nullptr, nullptr, nullptr};
  if (b.remote) {
    compiled.live_keys = std::make_shared<jose::LiveKeySet>();  // empty: 503 until the first fetch
    compiled.refetch = std::make_shared<schemes::KeyRefetchSlot>();
    compiled.remote = &*b.remote;
    compiled.scheme = schemes::make_bearer_scheme(std::move(options), compiled.live_keys, std::move(clock),
                                                  compiled.refetch);
    return compiled;
  }
  const auto found = keys.find(realm.name);
  auto live = std::make_shared<jose::LiveKeySet>(found == keys.end() ? nullptr : found->second);
  compiled.scheme = schemes::make_bearer_scheme(std::move(options), std::move(live), std::move(clock));
  return compiled;
}

void add_bearer_files(const Config& config, std::vector<std::string>& files) {
  const auto add_file = [&](const std::string& path) {
    if (!path.empty() && std::find(files.begin(), files.end(), path) == files.end()) files.push_back(path);
  };
  for (const Realm& realm : config.realms) {
    if (realm.scheme != "bearer") continue;
    add_file(realm.bearer.jwks_file);
    add_file(realm.bearer.pem_file);
    add_file(realm.bearer.hmac_secret_file);
    if (realm.bearer.remote) add_file(realm.bearer.remote->ca_file);
  }
}

}  // namespace authgate::config::detail
