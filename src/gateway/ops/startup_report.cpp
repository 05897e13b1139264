#include "gateway/ops/startup_report.hpp"

#include <spdlog/spdlog.h>

#include "config/units.hpp"
#include "net/redis_url.hpp"

namespace authgate::gateway {
namespace {

std::string join(const std::vector<std::string>& items, std::string_view separator = ",") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string describe(const config::CompiledRoute& route) {
  const auto& source = *route.source;
  std::string line = "route " + source.name + ": ";
  if (!source.match.hosts.empty()) line += join(source.match.hosts) + " ";
  line += source.match.path + (source.match.exact ? " (exact)" : "");
  if (!source.match.methods.empty()) line += " [" + join(source.match.methods) + "]";
  if (const auto* forward = std::get_if<config::ForwardTo>(&route.action)) {
    line += " -> " + (forward->upstream != nullptr ? forward->upstream->url : std::string{"(none)"});
  }
  if (route.requirement.anonymous) return line + "; anonymous";
  line += "; realms " + join(route.requirement.realms);
  if (!route.requirement.users.empty()) line += "; users " + join(route.requirement.users);
  if (!route.requirement.groups.empty()) line += "; groups " + join(route.requirement.groups);
  if (route.requirement.users.empty() && route.requirement.groups.empty()) line += "; any user";
  return line;
}

bool same_listeners(const config::Config& a, const config::Config& b) {
  if (a.listeners.size() != b.listeners.size()) return false;
  for (std::size_t i = 0; i < a.listeners.size(); ++i) {
    const auto& x = a.listeners[i];
    const auto& y = b.listeners[i];
    if (x.name != y.name || x.address != y.address || x.port != y.port ||
        x.tls.has_value() != y.tls.has_value() ||
        x.forward_proxy.has_value() != y.forward_proxy.has_value() ||
        x.forward_auth.has_value() != y.forward_auth.has_value()) {
      return false;
    }
  }
  return true;
}

/// Where shared state lives, for the start-up log: never the password (the url's is left out).
std::string describe_state(const config::Config& config) {
  if (!config.state.redis) return "state: in this process's memory (not shared with other instances)";
  const auto& redis = *config.state.redis;
  auto endpoint = net::parse_redis_url(redis.url);
  if (!endpoint) return "state: redis (url not understood)";
  std::string where = endpoint->unix_path.empty() ? endpoint->host + ":" + std::to_string(endpoint->port)
                                                  : "unix:" + endpoint->unix_path;
  if (endpoint->tls.enabled) where += " over TLS";
  return "state: redis at " + where + " db " + std::to_string(endpoint->db) + ", key prefix " +
         redis.key_prefix + ", timeout " + config::format_duration(redis.timeout) +
         " (throttling fails open and Digest closed while it is down)";
}

}  // namespace

void report_startup(const config::Snapshot& snapshot) {
  const auto& source = snapshot.config.source_file;
  spdlog::info("config generation {} from {}: {} route(s)", snapshot.generation,
               source.empty() ? std::string{"(built in)"} : source, snapshot.routes.size());
  for (const auto& route : snapshot.routes) spdlog::info("{}", describe(route));
  for (const auto& proxy : snapshot.forward_proxies) {
    spdlog::info("forward proxy {}: realms {}; {} rule(s)", proxy.listener,
                 join(proxy.route.requirement.realms), proxy.rules.size());
  }
  spdlog::info("{}", describe_state(snapshot.config));
  for (const auto& warning : snapshot.warnings) spdlog::warn("{}", warning);
}

void report_reload(const config::Snapshot& running, const config::Snapshot& next) {
  spdlog::info("reloaded: now serving config generation {} ({} route(s))", next.generation,
               next.routes.size());
  for (const auto& warning : next.warnings) spdlog::warn("{}", warning);
  const auto& a = running.config;
  const auto& b = next.config;
  if (!same_listeners(a, b)) spdlog::warn("listeners changed: a restart is needed to apply that part");
  if (a.server.io_threads != b.server.io_threads || a.server.worker_threads != b.server.worker_threads ||
      a.server.max_pending_hashes != b.server.max_pending_hashes) {
    spdlog::warn("server threads or queue size changed: a restart is needed to apply that part");
  }
  if (a.admin.has_value() != b.admin.has_value() ||
      (a.admin && (a.admin->address != b.admin->address || a.admin->port != b.admin->port))) {
    spdlog::warn("admin listener changed: a restart is needed to apply that part");
  }
  if (a.access_log.enabled != b.access_log.enabled || a.access_log.path != b.access_log.path ||
      a.cache.max_entries != b.cache.max_entries || a.cache.ttl != b.cache.ttl) {
    spdlog::warn("access log or cache settings changed: a restart is needed to apply that part");
  }
}

}  // namespace authgate::gateway
