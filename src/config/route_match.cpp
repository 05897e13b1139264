// Route matching: the per-request predicate and the static "covers" relation behind shadow warnings.
#include "config/route_match.hpp"

#include <algorithm>

#include "authgate/grammar/ascii.hpp"

namespace authgate::config {
namespace {

using grammar::iequals;

bool any_host_matches(const std::vector<std::string>& patterns, std::string_view host) noexcept {
  return std::any_of(patterns.begin(), patterns.end(),
                     [&](const std::string& p) { return host_matches(p, host); });
}

// Pattern `earlier` matches every host that pattern `later` matches.
bool host_pattern_covers(std::string_view earlier, std::string_view later) noexcept {
  if (iequals(earlier, later)) return true;
  if (!earlier.starts_with("*.")) return false;
  // "*.example.org" covers "a.example.org", "*.example.org" and "*.a.example.org".
  if (later.starts_with("*.")) {
    later.remove_prefix(2);
    if (iequals(later, earlier.substr(2))) return true;
  }
  return host_matches(earlier, later);
}

bool hosts_cover(const std::vector<std::string>& earlier, const std::vector<std::string>& later) noexcept {
  if (earlier.empty()) return true;
  if (later.empty()) return false;
  return std::all_of(later.begin(), later.end(), [&](const std::string& l) {
    return std::any_of(earlier.begin(), earlier.end(),
                       [&](const std::string& e) { return host_pattern_covers(e, l); });
  });
}

bool methods_cover(const std::vector<std::string>& earlier, const std::vector<std::string>& later) noexcept {
  if (earlier.empty()) return true;
  if (later.empty()) return false;
  return std::all_of(later.begin(), later.end(), [&](const std::string& m) {
    return std::find(earlier.begin(), earlier.end(), m) != earlier.end();
  });
}

}  // namespace

bool host_matches(std::string_view pattern, std::string_view host) noexcept {
  // RFC 1034 §3.1: "example.org." and "example.org" name the same host; treating them apart would let a
  // trailing dot route around a host-specific (protected) route.
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (!pattern.starts_with("*.")) return iequals(pattern, host);
  const std::string_view suffix = pattern.substr(1);  // ".example.org"
  return host.size() > suffix.size() && iequals(host.substr(host.size() - suffix.size()), suffix) &&
         host[host.size() - suffix.size() - 1] != '.';
}

bool path_matches(std::string_view route_path, bool exact, std::string_view path) noexcept {
  if (exact) return path == route_path;
  if (!path.starts_with(route_path)) return false;
  // Segment boundary: "/admin" must not match "/administrator".
  return route_path.ends_with('/') || path.size() == route_path.size() || path[route_path.size()] == '/';
}

bool match_covers(const RouteMatch& earlier, const RouteMatch& later) noexcept {
  if (!hosts_cover(earlier.hosts, later.hosts) || !methods_cover(earlier.methods, later.methods))
    return false;
  if (earlier.exact) return later.exact && earlier.path == later.path;
  // A prefix covers a path set when it matches the set's shortest member (the later path itself).
  return path_matches(earlier.path, false, later.path);
}

bool request_matches(const RouteMatch& match, std::string_view host, std::string_view path,
                     std::string_view method) noexcept {
  if (!match.hosts.empty() && !any_host_matches(match.hosts, host)) return false;
  if (!path_matches(match.path, match.exact, path)) return false;
  return match.methods.empty() ||
         std::find(match.methods.begin(), match.methods.end(), method) != match.methods.end();
}

}  // namespace authgate::config
