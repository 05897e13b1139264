// Readers of the Bearer (RFC 6750) keys: a `scheme: bearer` realm's key source and token policy, and a
// route's scopes, claims and token locations. Meaning checks are in validate_bearer.cpp.
#include <array>

#include "config/limits.hpp"
#include "config/load_sections.hpp"

namespace authgate::config::detail {
namespace {

constexpr std::size_t max_list_items = 64;  // algorithms, audiences, required claims, scopes, claim values
constexpr std::size_t max_route_claims = 32;

constexpr std::array<std::string_view, 18> bearer_keys = {
    "scope",           "jwks_file", "pem_file",    "hmac_secret_file", "key_id", "algorithms", "issuer",
    "audiences",       "leeway",    "require_exp", "required_claims",  "typ",    "user_claim", "groups_claim",
    "max_token_bytes", "jwks",      "oidc",        "introspection"};

// `jwks: {url: …}` and `oidc: {issuer: …}` share their refresh settings.
void read_refresh(MapReader& m, RemoteKeys& remote) {
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  m.read_duration("refresh_interval", remote.refresh_interval, seconds(10), hours(24));
  m.read_duration("min_refresh_interval", remote.min_refresh_interval, seconds(1), hours(1));
  m.read_duration("timeout", remote.timeout, milliseconds(100), minutes(1));
  m.read_duration("refetch_wait", remote.refetch_wait, milliseconds(0), minutes(1));
  m.read_file("ca_file", remote.ca_file);
}

void read_remote(MapReader& realm, BearerRealm& bearer) {
  LoadContext& ctx = realm.context();
  if (const YAML::Node* node = realm.find("jwks")) {
    RemoteKeys& remote = bearer.remote ? *bearer.remote : bearer.remote.emplace();
    MapReader m(ctx, *node, realm.child("jwks"));
    m.require("url");
    m.read_string("url", remote.jwks_url);
    read_refresh(m, remote);
    m.finish();
  }
  if (const YAML::Node* node = realm.find("oidc")) {
    RemoteKeys& remote = bearer.remote ? *bearer.remote : bearer.remote.emplace();
    MapReader m(ctx, *node, realm.child("oidc"));
    m.require("issuer");
    m.read_string("issuer", remote.discovery_issuer);
    read_refresh(m, remote);
    m.finish();
  }
}

void read_introspection(MapReader& realm, BearerRealm& bearer) {
  const YAML::Node* node = realm.find("introspection");
  if (node == nullptr) return;
  using std::chrono::hours;
  using std::chrono::milliseconds;
  using std::chrono::minutes;
  using std::chrono::seconds;
  Introspection& in = bearer.introspection.emplace();
  MapReader m(realm.context(), *node, realm.child("introspection"));
  m.require("url");
  m.read_string("url", in.url);
  m.read_string("client_id", in.client_id);
  m.read_file("client_secret_file", in.client_secret_file);
  m.read_duration("cache_ttl", in.cache_ttl, milliseconds(0), hours(1));
  m.read_duration("negative_cache_ttl", in.negative_cache_ttl, milliseconds(0), minutes(10));
  m.read_duration("timeout", in.timeout, milliseconds(100), minutes(1));
  m.read_number("max_idle_connections", in.max_idle_connections, 0, 64);
  m.read_number("max_in_flight", in.max_in_flight, 1, 10'000);
  m.read_duration("idle_timeout", in.idle_timeout, seconds(1), minutes(10));
  m.read_file("ca_file", in.ca_file);
  m.finish();
}

// `claims: {name: value | [values]}`: each claim must carry one of the listed values.
void read_claims(MapReader& auth, Route& route) {
  const YAML::Node* node = auth.find("claims");
  if (node == nullptr) return;
  LoadContext& ctx = auth.context();
  MapReader m(ctx, *node, auth.child("claims"));
  m.for_each_entry(
      max_route_claims, [&](const std::string& name, const YAML::Node& value, const std::string& path) {
        std::vector<std::string> values;
        if (value.IsSequence()) {
          for_each_item(ctx, value, path, max_list_items, [&](const YAML::Node& item, const std::string& at) {
            if (auto text = read_scalar(ctx, item, at)) values.push_back(std::move(*text));
          });
        } else if (auto text = read_scalar(ctx, value, path, "a string or a list of strings")) {
          values.push_back(std::move(*text));
        }
        route.claims[name] = std::move(values);
      });
}

}  // namespace

std::span<const std::string_view> bearer_realm_keys() noexcept { return bearer_keys; }

void read_bearer_realm(MapReader& m, BearerRealm& bearer) {
  using std::chrono::minutes;
  m.read_string("scope", bearer.scope);
  m.read_file("jwks_file", bearer.jwks_file);
  m.read_file("pem_file", bearer.pem_file);
  m.read_file("hmac_secret_file", bearer.hmac_secret_file);
  m.read_string("key_id", bearer.key_id);
  read_remote(m, bearer);
  read_introspection(m, bearer);
  m.read_strings("algorithms", bearer.algorithms, max_list_items);
  m.read_string("issuer", bearer.issuer);
  m.read_strings("audiences", bearer.audiences, max_list_items);
  m.read_duration("leeway", bearer.leeway, Duration{0}, minutes(10));
  m.read_bool("require_exp", bearer.require_exp);
  m.read_strings("required_claims", bearer.required_claims, max_list_items);
  m.read_string("typ", bearer.typ);
  m.read_string("user_claim", bearer.user_claim);
  m.read_string("groups_claim", bearer.groups_claim);
  m.read_size("max_token_bytes", bearer.max_token_bytes, 256, 1u << 20);
}

void read_route_bearer(MapReader& auth, Route& route) {
  auth.read_strings("scopes", route.scopes, max_list_items);
  read_claims(auth, route);
  auth.read_bool("token_in_query", route.token_in_query);
  auth.read_bool("token_in_form", route.token_in_form);
}

}  // namespace authgate::config::detail
