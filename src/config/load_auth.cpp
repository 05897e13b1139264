// Readers of stores, realms and routes.
#include <array>
#include <string>
#include <utility>

#include "config/limits.hpp"
#include "config/load_sections.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {
namespace {

Store read_store(LoadContext& ctx, const std::string& name, const YAML::Node& node, const std::string& path) {
  Store store;
  store.name = name;
  store.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_string("type", store.type);
  m.require("path");
  m.read_file("path", store.path);
  m.read_file("groups", store.groups_path);
  m.finish();
  return store;
}

constexpr std::array<std::string_view, 2> basic_keys = {"store", "allow_plaintext"};

// A key of the other scheme is an error at the key, not "unknown key": it exists, just not here.
void refuse_keys(MapReader& m, std::span<const std::string_view> keys, const std::string& scheme,
                 const std::string& belongs_to) {
  for (const std::string_view key : keys) {
    if (const YAML::Node* node = m.find(key)) {
      std::string message = "'" + std::string(key) + "' applies to ";
      message.append(belongs_to).append(" realms only (this realm's scheme is ").append(scheme).append(")");
      m.context().error(*node, m.child(key), std::move(message));
    }
  }
}

void read_digest_realm(LoadContext& ctx, const YAML::Node& node, const std::string& path,
                       DigestRealm& digest) {
  MapReader m(ctx, node, path);
  m.read_strings("algorithms", digest.algorithms, 6);
  m.read_strings("qop", digest.qop, 2);
  m.read_bool("userhash", digest.userhash);
  m.read_duration("nonce_lifetime", digest.nonce_lifetime, std::chrono::seconds(10), std::chrono::hours(24));
  m.read_file("nonce_secret_file", digest.nonce_secret_file);
  m.finish();
}

Realm read_realm(LoadContext& ctx, const std::string& name, const YAML::Node& node, const std::string& path) {
  Realm realm;
  realm.name = name;
  realm.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_string("scheme", realm.scheme);
  m.read_string("realm", realm.realm);
  const std::string scheme = to_lower(realm.scheme);
  if (scheme != "bearer") {
    m.read_string("store", realm.store);
    m.read_bool("allow_plaintext", realm.allow_plaintext);
  } else {
    refuse_keys(m, basic_keys, scheme, "basic");
  }
  if (scheme == "digest") {
    if (const YAML::Node* digest = m.find("digest"))
      read_digest_realm(ctx, *digest, m.child("digest"), realm.digest);
  } else if (const YAML::Node* digest = m.find("digest")) {
    m.context().error(*digest, m.child("digest"),
                      "'digest' applies to digest realms only (this realm's scheme is " + scheme + ")");
  }
  if (scheme == "basic" || scheme == "digest") {
    refuse_keys(m, bearer_realm_keys(), scheme, "bearer");
  } else {
    read_bearer_realm(m, realm.bearer);  // bearer, or an unknown scheme validate() will name
  }
  m.finish();
  return realm;
}

// `auth: anonymous` or `auth: {realms: [...], users: [...], groups: [...]}`.
void read_auth(LoadContext& ctx, const YAML::Node& node, const std::string& path, Route& route) {
  if (node.IsScalar()) {
    ctx.record(path, node.Mark());
    if (node.Scalar() == "anonymous") {
      route.anonymous = true;
    } else {
      ctx.error(node.Mark(), path, "expected 'anonymous' or a map with 'realms'");
    }
    return;
  }
  MapReader m(ctx, node, path);
  m.read_strings("realms", route.realms, limits::max_realms_per_route);
  m.read_strings("users", route.users, limits::max_principals_per_route);
  m.read_strings("groups", route.groups, limits::max_principals_per_route);
  read_route_bearer(m, route);
  m.finish();
}

void read_route_match(LoadContext& ctx, const YAML::Node& node, const std::string& path, RouteMatch& match) {
  MapReader m(ctx, node, path);
  m.read_strings("hosts", match.hosts, limits::max_hosts_per_route);
  m.read_string("path", match.path);
  m.read_bool("exact", match.exact);
  m.read_strings("methods", match.methods, limits::max_methods_per_route);
  m.finish();
}

Route read_route(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  Route route;
  route.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_string("name", route.name);
  if (const YAML::Node* match = m.find("match")) read_route_match(ctx, *match, m.child("match"), route.match);
  m.read_string("upstream", route.upstream);
  // No default: a route that forgot `auth` must not silently become public.
  if (const YAML::Node* auth = m.require("auth")) read_auth(ctx, *auth, m.child("auth"), route);
  m.read_bool("pass_authorization", route.pass_authorization);
  if (m.find("max_body_bytes") != nullptr) {
    std::uint64_t bytes = 0;
    m.read_size("max_body_bytes", bytes, 0, 1ull << 40);
    route.max_body_bytes = bytes;
  }
  read_error_pages(m, route.error_pages);
  m.finish();
  return route;
}

}  // namespace

void read_stores(MapReader& root, std::vector<Store>& stores) {
  const YAML::Node* node = root.find("stores");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("stores"));
  m.for_each_entry(limits::max_stores,
                   [&](const std::string& name, const YAML::Node& value, const std::string& path) {
                     stores.push_back(read_store(root.context(), name, value, path));
                   });
}

void read_realms(MapReader& root, std::vector<Realm>& realms) {
  const YAML::Node* node = root.find("realms");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("realms"));
  m.for_each_entry(limits::max_realms,
                   [&](const std::string& name, const YAML::Node& value, const std::string& path) {
                     realms.push_back(read_realm(root.context(), name, value, path));
                   });
}

void read_routes(MapReader& root, std::vector<Route>& routes) {
  const YAML::Node* node = root.find("routes");
  if (node == nullptr) return;
  for_each_item(root.context(), *node, root.child("routes"), limits::max_routes,
                [&](const YAML::Node& item, const std::string& path) {
                  routes.push_back(read_route(root.context(), item, path));
                });
}

}  // namespace authgate::config::detail
