// Checks of routes: match syntax, references, the auth block, and routes that can never match.
#include <set>

#include "authgate/grammar/ascii.hpp"

#include "config/checker.hpp"
#include "config/route_match.hpp"
#include "config/syntax.hpp"

namespace authgate::config::detail {
namespace {

// Above this many routes the quadratic shadow analysis is skipped (the checks that matter still run).
constexpr std::size_t max_routes_for_shadow_check = 1000;

using grammar::hex_value;
using grammar::is_unreserved;

bool is_hex(char c) { return hex_value(c) >= 0; }

// Route paths are compared byte-wise with the gateway's normalised request path (RFC 3986 §6.2.2:
// unreserved characters decoded, dot-segments removed), so a path that is not itself normal never matches.
std::optional<std::string> route_path_problem(std::string_view path) {
  if (path.empty() || path.front() != '/') return "must start with '/'";
  if (path.size() > 4096) return "longer than 4096 bytes";
  constexpr std::string_view sub_delims_and_more = "!$&'()*+,;=:@/";
  for (std::size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '%') {
      if (i + 2 >= path.size() || !is_hex(path[i + 1]) || !is_hex(path[i + 2])) return "'%' must start %XX";
      const char decoded = static_cast<char>(hex_value(path[i + 1]) * 16 + hex_value(path[i + 2]));
      if (is_unreserved(decoded)) return "write " + std::string(1, decoded) + " instead of its %-encoding";
      i += 2;
    } else if (!is_unreserved(c) && sub_delims_and_more.find(c) == std::string_view::npos) {
      return "contains a character that is not allowed in a URL path (no query, fragment or spaces)";
    }
  }
  if (path.find("/./") != std::string_view::npos || path.find("/../") != std::string_view::npos ||
      path.ends_with("/.") || path.ends_with("/..")) {
    return "must not contain '.' or '..' segments (request paths are normalised before matching)";
  }
  return std::nullopt;
}

void check_match(Checker& check, const RouteMatch& match, const std::string& path) {
  if (auto problem = route_path_problem(match.path)) check.error(path + ".path", *problem);
  for (std::size_t i = 0; i < match.hosts.size(); ++i) {
    if (auto problem = host_pattern_problem(match.hosts[i])) {
      check.error(path + ".hosts[" + std::to_string(i) + "]",
                  *problem + ", got " + in_quotes(match.hosts[i]));
    }
  }
  for (std::size_t i = 0; i < match.methods.size(); ++i) {
    if (!is_token(match.methods[i])) {
      check.error(path + ".methods[" + std::to_string(i) + "]",
                  "expected a method token, got " + in_quotes(match.methods[i]));
    }
  }
}

void check_auth(Checker& check, const Route& route, const std::string& path) {
  const std::string auth = path + ".auth";
  if (route.anonymous) {
    if (!route.realms.empty() || !route.users.empty() || !route.groups.empty()) {
      check.error(auth, "an anonymous route lists no realms, users or groups");
    }
    return;
  }
  if (route.realms.empty()) {
    check.error(auth, "must list at least one realm in 'realms' (or be 'auth: anonymous')");
    return;
  }
  check_realm_list(check, route, auth);
  check_route_bearer(check, route, auth);
  for (std::size_t i = 0; i < route.users.size(); ++i) {
    if (route.users[i].empty()) check.error(auth + ".users[" + std::to_string(i) + "]", "empty user name");
  }
  for (std::size_t i = 0; i < route.groups.size(); ++i) {
    if (route.groups[i].empty()) check.error(auth + ".groups[" + std::to_string(i) + "]", "empty group name");
  }
}

void check_shadowed(Checker& check) {
  const auto& routes = check.config().routes;
  if (routes.size() > max_routes_for_shadow_check) return;
  for (std::size_t later = 1; later < routes.size(); ++later) {
    for (std::size_t earlier = 0; earlier < later; ++earlier) {
      if (match_covers(routes[earlier].match, routes[later].match)) {
        check.warning("routes[" + std::to_string(later) + "]",
                      "never matches: route " + in_quotes(routes[earlier].name) + " (routes[" +
                          std::to_string(earlier) +
                          "]) comes first and matches every request this one would");
        break;
      }
    }
  }
}

}  // namespace

void check_realm_list(Checker& check, const Route& route, const std::string& path) {
  std::set<std::string> names;
  std::set<std::string> schemes;
  bool has_groups_file = false;
  for (std::size_t i = 0; i < route.realms.size(); ++i) {
    const std::string item = path + ".realms[" + std::to_string(i) + "]";
    const Realm* realm = find_named(check.config().realms, route.realms[i]);
    if (realm == nullptr) {
      check.error(item, "unknown realm " + in_quotes(route.realms[i]) +
                            " (defined: " + list_names(check.config().realms) + ")");
      continue;
    }
    if (!names.insert(realm->name).second)
      check.error(item, "realm " + in_quotes(realm->name) + " is listed twice");
    // A Basic (or Digest) credential does not say which realm it is for (RFC 7617 §2), so one route
    // can accept at most one realm per scheme.
    if (!schemes.insert(realm->scheme).second) {
      check.error(item, "another realm of this route already uses scheme " + in_quotes(realm->scheme) +
                            ": credentials would not say which realm they are for");
    }
    const Store* store = find_named(check.config().stores, realm->store);
    has_groups_file = has_groups_file || (store != nullptr && !store->groups_path.empty()) ||
                      (realm->scheme == "bearer" && !realm->bearer.groups_claim.empty());
  }
  if (!route.groups.empty() && !has_groups_file && names.size() == route.realms.size()) {
    check.warning(path + ".groups",
                  "no realm of this route has a group file or a groups_claim: no user is in any group");
  }
}

void check_routes(Checker& check) {
  const Config& config = check.config();
  // Reverse-proxy and forward-auth listeners route; a gateway that is only a forward proxy needs none.
  const bool routes_needed = std::any_of(config.listeners.begin(), config.listeners.end(),
                                         [](const Listener& listener) { return !listener.forward_proxy; });
  // A route's upstream is where a reverse-proxy listener sends it; decisions need none. (A config built
  // in code, without a file, may leave it empty for the demo's built-in echo.)
  const auto proxying = std::find_if(config.listeners.begin(), config.listeners.end(),
                                     [](const Listener& l) { return !l.forward_proxy && !l.forward_auth; });
  const bool upstream_needed = proxying != config.listeners.end() && !config.source_file.empty();
  if (config.routes.empty() && routes_needed) {
    check.warning("routes", "no routes: every request is answered " + config.server.unmatched);
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < config.routes.size(); ++i) {
    const Route& route = config.routes[i];
    const std::string path = "routes[" + std::to_string(i) + "]";
    if (!is_name(route.name)) check.error(path + ".name", "invalid name " + in_quotes(route.name));
    if (!names.insert(route.name).second)
      check.error(path + ".name", "duplicate route name " + in_quotes(route.name));
    check_match(check, route.match, path + ".match");
    if (route.upstream.empty() && upstream_needed) {
      check.error(path + ".upstream",
                  "missing: listener " + in_quotes(proxying->name) +
                      " forwards requests to routes (only forward_auth listeners need none)");
    } else if (!route.upstream.empty() && find_named(config.upstreams, route.upstream) == nullptr) {
      check.error(path + ".upstream", "unknown upstream " + in_quotes(route.upstream) +
                                          " (defined: " + list_names(config.upstreams) + ")");
    }
    check_auth(check, route, path);
    check_error_pages(check, route.error_pages, path + ".error_pages");
  }
  check_shadowed(check);
}

}  // namespace authgate::config::detail
