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

Listener read_listener(LoadContext& ctx, const YAML::Node& node, const std::string& path) {
  Listener listener;
  listener.pos = position(ctx, node.Mark());
  MapReader m(ctx, node, path);
  m.read_string("name", listener.name);
  m.read_string("address", listener.address);
  m.require("port");
  m.read_number("port", listener.port, 1, 65535);
  if (const YAML::Node* tls = m.find("tls")) listener.tls = read_server_tls(ctx, *tls, m.child("tls"));
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
