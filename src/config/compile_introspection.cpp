// compile() for introspection realms (see config/compile_introspection.hpp).
#include "config/compile_introspection.hpp"

#include <openssl/crypto.h>

#include <algorithm>

#include "authgate/schemes/introspection.hpp"
#include "config/secret_file.hpp"

namespace authgate::config::detail {
CompiledRealm compile_introspection_realm(const Realm& realm, std::shared_ptr<const Clock> clock) {
  const BearerRealm& b = realm.bearer;
  const Introspection& in = *b.introspection;
  schemes::IntrospectionOptions options;
  options.realm = realm.realm;
  options.scope = b.scope;
  options.url = in.url;
  options.client_id = in.client_id;
  options.client_secret = read_secret_file(in.client_secret_file);
  options.cache_ttl = in.cache_ttl;
  options.negative_cache_ttl = in.negative_cache_ttl;
  options.timeout = in.timeout;
  options.max_idle_connections = in.max_idle_connections;
  options.max_in_flight = in.max_in_flight;
  options.idle_timeout = in.idle_timeout;
  options.leeway = std::chrono::duration_cast<std::chrono::seconds>(b.leeway);  // whole seconds (validate)
  options.ca_file = in.ca_file;
  options.issuer = b.issuer;
  options.audiences = b.audiences;
  options.user_claim = b.user_claim;
  options.groups_claim = b.groups_claim;
  options.max_token_bytes = b.max_token_bytes;
  // The scheme keeps only the encoded Basic credentials and wipes its copy of the secret; this is the
  // last plain copy.
  auto scheme = schemes::make_introspection_scheme(options, std::move(clock));
  OPENSSL_cleanse(options.client_secret.data(), options.client_secret.size());
  return CompiledRealm{realm.name, std::move(scheme), nullptr, nullptr, nullptr};
}

void add_introspection_files(const Config& config, std::vector<std::string>& files) {
  for (const Realm& realm : config.realms) {
    if (realm.scheme != "bearer" || !realm.bearer.introspection) continue;
    for (const std::string* path :
         {&realm.bearer.introspection->client_secret_file, &realm.bearer.introspection->ca_file}) {
      if (!path->empty() && std::find(files.begin(), files.end(), *path) == files.end())
        files.push_back(*path);
    }
  }
}

}  // namespace authgate::config::detail
