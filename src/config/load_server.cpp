// Readers of the process-wide sections: server, limits, identity_headers, cache, throttle, state,
// access_log, admin.
#include <chrono>

#include "config/load_sections.hpp"

namespace authgate::config::detail {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

SourcePos position(const LoadContext& ctx, const YAML::Mark& mark) {
  if (mark.is_null()) return SourcePos{ctx.file(), 0, 0};
  return SourcePos{ctx.file(), mark.line + 1, mark.column + 1};
}

void read_server(MapReader& root, Server& server) {
  const YAML::Node* node = root.find("server");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("server"));
  m.read_number("io_threads", server.io_threads, 0, 1024);
  m.read_number("worker_threads", server.worker_threads, 0, 1024);
  m.read_number("max_pending_hashes", server.max_pending_hashes, 1, 1'000'000);
  m.read_duration("shutdown_grace", server.shutdown_grace, milliseconds(0), hours(1));
  m.read_string("unmatched", server.unmatched);
  m.finish();
}

void read_limits(MapReader& root, HttpLimits& limits) {
  const YAML::Node* node = root.find("limits");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("limits"));
  m.read_size("max_header_bytes", limits.max_header_bytes, 1u << 10, 1u << 20);
  m.read_number("max_header_count", limits.max_header_count, 1, 10'000);
  m.read_size("max_uri_bytes", limits.max_uri_bytes, 256, 1u << 20);
  m.read_size("max_body_bytes", limits.max_body_bytes, 0, 1ull << 40);
  m.read_size("max_chunk_metadata_bytes", limits.max_chunk_metadata_bytes, 256, 64u << 10);
  m.read_size("drain_bytes", limits.drain_bytes, 0, 16u << 20);
  m.read_duration("linger_timeout", limits.linger_timeout, milliseconds(0), seconds(30));
  m.read_size("linger_bytes", limits.linger_bytes, 0, 64u << 20);
  // Read whole into the 64 KiB relay buffer: no larger.
  m.read_size("max_form_token_body_bytes", limits.max_form_token_body_bytes, 1u << 10, 64u << 10);
  m.read_size("max_auth_int_body_bytes", limits.max_auth_int_body_bytes, 0, 64u << 10);
  m.read_duration("header_timeout", limits.header_timeout, milliseconds(100), hours(1));
  m.read_duration("idle_timeout", limits.idle_timeout, seconds(1), hours(1));
  m.read_duration("body_timeout", limits.body_timeout, seconds(1), hours(24));
  m.read_number("max_connections", limits.max_connections, 1, 1'000'000);
  m.read_number("max_connections_per_address", limits.max_connections_per_address, 0, 1'000'000);
  m.read_number("max_pending_heads_per_address", limits.max_pending_heads_per_address, 0, 1'000'000);
  m.read_duration("max_hash_wait", limits.max_hash_wait, milliseconds(100), seconds(60));
  m.finish();
}

void read_identity_headers(MapReader& root, IdentityHeaders& headers) {
  const YAML::Node* node = root.find("identity_headers");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("identity_headers"));
  m.read_string("user", headers.user);
  m.read_string("groups", headers.groups);
  m.read_string("scheme", headers.scheme);
  m.finish();
}

void read_cache(MapReader& root, Cache& cache) {
  const YAML::Node* node = root.find("cache");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("cache"));
  m.read_duration("ttl", cache.ttl, milliseconds(0), hours(24));
  m.read_number("max_entries", cache.max_entries, 0, 10'000'000);
  m.finish();
}

namespace {

void read_throttle_limit(MapReader& parent, std::string_view key, ThrottleLimit& limit) {
  const YAML::Node* node = parent.find(key);
  if (node == nullptr) return;
  MapReader m(parent.context(), *node, parent.child(key));
  m.read_number("max_failures", limit.max_failures, 0, 1'000'000);
  m.read_duration("window", limit.window, std::chrono::seconds(1), hours(24));
  m.read_duration("ban", limit.ban, std::chrono::seconds(1), hours(24 * 7));
  m.finish();
}

}  // namespace

void read_throttle(MapReader& root, std::optional<Throttle>& throttle) {
  const YAML::Node* node = root.find("throttle");
  if (node == nullptr) return;
  throttle.emplace();
  MapReader m(root.context(), *node, root.child("throttle"));
  read_throttle_limit(m, "users", throttle->users);
  read_throttle_limit(m, "addresses", throttle->addresses);
  m.read_number("ipv6_prefix", throttle->ipv6_prefix, 32, 128);
  m.read_bool("per_realm", throttle->per_realm);
  m.finish();
}

namespace {

void read_redis_tls(MapReader& redis, std::optional<RedisState::Tls>& tls) {
  const YAML::Node* node = redis.find("tls");
  if (node == nullptr) return;
  tls.emplace();
  MapReader m(redis.context(), *node, redis.child("tls"));
  m.read_file("ca_file", tls->ca_file);
  m.read_file("cert_file", tls->cert_file);
  m.read_file("key_file", tls->key_file);
  m.read_string("server_name", tls->server_name);
  m.finish();
}

}  // namespace

void read_state(MapReader& root, SharedState& state) {
  const YAML::Node* node = root.find("state");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("state"));
  if (const YAML::Node* redis_node = m.find("redis"); redis_node != nullptr) {
    RedisState& redis = state.redis.emplace();
    MapReader r(m.context(), *redis_node, m.child("redis"));
    r.read_string("url", redis.url);
    // Any duration here; validate_state.cpp names the allowed range (10ms..10s).
    r.read_duration("timeout", redis.timeout, milliseconds(0), hours(24));
    r.read_string("key_prefix", redis.key_prefix);
    r.read_file("password_file", redis.password_file);
    read_redis_tls(r, redis.tls);
    r.read_number("pool", redis.pool, 1, 64);
    r.finish();
  }
  m.finish();
}

void read_access_log(MapReader& root, AccessLog& log) {
  const YAML::Node* node = root.find("access_log");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("access_log"));
  m.read_bool("enabled", log.enabled);
  m.read_file("path", log.path);
  m.finish();
}

void read_admin(MapReader& root, std::optional<Admin>& admin) {
  const YAML::Node* node = root.find("admin");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("admin"));
  Admin a;
  a.pos = position(root.context(), node->Mark());
  m.read_string("address", a.address);
  m.read_number("port", a.port, 1, 65535);
  m.read_file("revoke_token_file", a.revoke_token_file);
  m.finish();
  admin = std::move(a);
}

}  // namespace authgate::config::detail
