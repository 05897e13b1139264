// Readers of listeners and upstreams.
#include <chrono>

#include "config/limits.hpp"
#include "config/load_sections.hpp"

namespace authgate::config::detail {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

ServerTls read_server_tls(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  ServerTls tls;
  MapReader m(ctx, node, path);
  m.require("cert");
  m.read_file("cert", tls.cert_file);
  m.require("key");
  m.read_file("key", tls.key_file);
  m.read_string("min_version", tls.min_version);
  m.finish();
  return tls;
}

ProxyRule read_proxy_rule(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  ProxyRule rule;
  rule.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_strings("users", rule.users, limits::max_principals_per_route);
  m.read_strings("groups", rule.groups, limits::max_principals_per_route);
  m.read_strings("hosts", rule.hosts, limits::max_hosts_per_route);
  m.read_strings("ports", rule.ports, limits::max_hosts_per_route);
  m.read_strings("connect_ports", rule.connect_ports, limits::max_hosts_per_route);
  m.read_strings("methods", rule.methods, limits::max_methods_per_route);
  m.finish();
  return rule;
}

ForwardProxy read_forward_proxy(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  ForwardProxy proxy;
  MapReader m(ctx, node, path);
  m.require("realms");
  m.read_strings("realms", proxy.realms, limits::max_realms_per_route);
  m.read_strings("users", proxy.users, limits::max_principals_per_route);
  m.read_strings("groups", proxy.groups, limits::max_principals_per_route);
  if (const YAML::Node* rules = m.find("rules")) {
    proxy.rules.clear();
    for_each_item(ctx, *rules, m.child("rules"), limits::max_routes,
                  [&](const YAML::Node& item, const std::string& item_path) {
                    proxy.rules.push_back(read_proxy_rule(ctx, item, item_path));
                  });
  }
  m.read_strings("allow_internal", proxy.allow_internal, limits::max_hosts_per_route);
  m.read_duration("connect_timeout", proxy.connect_timeout, std::chrono::milliseconds(100),
                  std::chrono::minutes(1));
  m.read_duration("response_timeout", proxy.response_timeout, std::chrono::seconds(1), std::chrono::hours(1));
  m.read_bool("pass_identity", proxy.pass_identity);
  m.finish();
  return proxy;
}

ForwardAuth read_forward_auth(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  ForwardAuth auth;
  MapReader m(ctx, node, path);
  m.require("original_request");
  m.read_string("original_request", auth.original_request);
  m.read_strings("trusted_sources", auth.trusted_sources, limits::max_hosts_per_route);
  m.read_string("path_prefix", auth.path_prefix);
  m.read_bool("nginx_compat", auth.nginx_compat);
  m.finish();
  return auth;
}

Listener read_listener(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  Listener listener;
  listener.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_string("name", listener.name);
  m.read_string("address", listener.address);
  m.require("port");
  m.read_number("port", listener.port, 1, 65535);
  if (const YAML::Node* tls = m.find("tls")) listener.tls = read_server_tls(ctx, *tls, m.child("tls"));
  if (const YAML::Node* proxy = m.find("forward_proxy")) {
    listener.forward_proxy = read_forward_proxy(ctx, *proxy, m.child("forward_proxy"));
  }
  m.read_strings("trusted_proxies", listener.trusted_proxies, limits::max_hosts_per_route);
  if (const YAML::Node* auth = m.find("forward_auth")) {
    listener.forward_auth = read_forward_auth(ctx, *auth, m.child("forward_auth"));
  }
  m.finish();
  return listener;
}

UpstreamTls read_upstream_tls(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  UpstreamTls tls;
  MapReader m(ctx, node, path);
  m.read_bool("verify", tls.verify);
  m.read_file("ca", tls.ca_file);
  m.read_string("server_name", tls.server_name);
  m.finish();
  return tls;
}

Upstream read_upstream(LoadContext& ctx, const std::string& name, const YAML::Node& node,
                       const std::string& path) {
  Upstream upstream;
  upstream.name = name;
  upstream.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.require("url");
  m.read_string("url", upstream.url);
  m.read_duration("connect_timeout", upstream.connect_timeout, milliseconds(100), minutes(5));
  m.read_duration("response_timeout", upstream.response_timeout, seconds(1), hours(24));
  m.read_number("max_idle_connections", upstream.max_idle_connections, 0, 100'000);
  m.read_duration("idle_timeout", upstream.idle_timeout, seconds(1), hours(24));
  m.read_size("max_response_header_bytes", upstream.max_response_header_bytes, 1u << 10, 1u << 20);
  if (const YAML::Node* tls = m.find("tls")) upstream.tls = read_upstream_tls(ctx, *tls, m.child("tls"));
  m.finish();
  return upstream;
}

}  // namespace

void read_listeners(MapReader& root, std::vector<Listener>& listeners) {
  const YAML::Node* node = root.find("listeners");
  if (node == nullptr) return;
  for_each_item(root.context(), *node, root.child("listeners"), limits::max_listeners,
                [&](const YAML::Node& item, const std::string& path) {
                  listeners.push_back(read_listener(root.context(), item, path));
                });
}

void read_upstreams(MapReader& root, std::vector<Upstream>& upstreams) {
  const YAML::Node* node = root.find("upstreams");
  if (node == nullptr) return;
  MapReader m(root.context(), *node, root.child("upstreams"));
  m.for_each_entry(limits::max_upstreams,
                   [&](const std::string& name, const YAML::Node& value, const std::string& path) {
                     upstreams.push_back(read_upstream(root.context(), name, value, path));
                   });
}

}  // namespace authgate::config::detail
