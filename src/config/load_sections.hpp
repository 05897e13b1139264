#pragma once
// The readers of the top-level sections of the YAML document, one per section, all writing into a
// Config. Loader internals (see yaml_reader.hpp).

#include <span>
#include <string_view>

#include "config/model.hpp"
#include "config/yaml_reader.hpp"

namespace authgate::config::detail {

void read_server(MapReader& root, Server& server);
void read_limits(MapReader& root, HttpLimits& limits);
void read_identity_headers(MapReader& root, IdentityHeaders& headers);
void read_cache(MapReader& root, Cache& cache);
void read_throttle(MapReader& root, std::optional<Throttle>& throttle);
void read_state(MapReader& root, SharedState& state);
void read_access_log(MapReader& root, AccessLog& log);
void read_admin(MapReader& root, std::optional<Admin>& admin);
void read_listeners(MapReader& root, std::vector<Listener>& listeners);
void read_upstreams(MapReader& root, std::vector<Upstream>& upstreams);
void read_stores(MapReader& root, std::vector<Store>& stores);
void read_realms(MapReader& root, std::vector<Realm>& realms);
void read_routes(MapReader& root, std::vector<Route>& routes);
/// `error_pages` of `parent` (the document or a route): status code → page file (load_error_pages.cpp).
void read_error_pages(MapReader& parent, std::vector<ErrorPage>& pages);

/// The keys of a `scheme: bearer` realm (load_bearer.cpp), and their readers.
std::span<const std::string_view> bearer_realm_keys() noexcept;
void read_bearer_realm(MapReader& realm, BearerRealm& bearer);
/// `scopes`, `claims`, `token_in_query`, `token_in_form` of a route's `auth` map.
void read_route_bearer(MapReader& auth, Route& route);

/// Position of `mark` in the file being loaded, 1-based.
SourcePos position(const LoadContext& ctx, const YAML::Mark& mark);

}  // namespace authgate::config::detail
