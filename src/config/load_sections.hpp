#pragma once
// The readers of the top-level sections of the YAML document, one per section, all writing into a
// Config. Loader internals (see yaml_reader.hpp).

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

namespace authgate::config::detail {

void read_server(MapReader& root, Server& server);
void read_limits(MapReader& root, HttpLimits& limits);
void read_identity_headers(MapReader& root, IdentityHeaders& headers);
void read_cache(MapReader& root, Cache& cache);
void read_access_log(MapReader& root, AccessLog& log);
void read_admin(MapReader& root, std::optional<Admin>& admin);
void read_listeners(MapReader& root, std::vector<Listener>& listeners);
void read_upstreams(MapReader& root, std::vector<Upstream>& upstreams);
void read_stores(MapReader& root, std::vector<Store>& stores);
void read_realms(MapReader& root, std::vector<Realm>& realms);
void read_routes(MapReader& root, std::vector<Route>& routes);

/// Position of `mark` in the file being loaded, 1-based.
SourcePos position(const LoadContext& ctx, const YAML::Mark& mark);

}  // namespace authgate::config::detail
