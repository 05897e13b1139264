#pragma once
// validate() internals: a problem sink that locates paths, and the per-section checks.

#include <algorithm>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config::detail {

class Checker {
 public:
  Checker(const Config& config, Problems& problems) : config_(config), problems_(problems) {}
  const Config& config() const noexcept { return config_; }
  void error(const std::string& path, std::string reason) { add(Severity::error, path, std::move(reason)); }
  void warning(const std::string& path, std::string reason) {
    add(Severity::warning, path, std::move(reason));
  }

 private:
  void add(Severity severity, const std::string& path, std::string reason) {
    problems_.push_back(Problem{severity, position_of(config_, path), path, std::move(reason)});
  }
  const Config& config_;
  Problems& problems_;
};

template <class T>
const T* find_named(const std::vector<T>& items, const std::string& name) {
  const auto it = std::find_if(items.begin(), items.end(), [&](const T& item) { return item.name == name; });
  return it == items.end() ? nullptr : &*it;
}

/// "a, b, c" for messages listing what would have been valid.
template <class T>
std::string list_names(const std::vector<T>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item.name;
  return out.empty() ? "none defined" : out;
}

void check_server(Checker& check);
void check_listeners(Checker& check);
void check_admin(Checker& check);
void check_upstreams(Checker& check);
void check_misc(Checker& check);  // limits, identity headers, access log
void check_stores(Checker& check);
void check_realms(Checker& check);
void check_routes(Checker& check);
void check_state(Checker& check);  // validate_state.cpp

/// `scheme: bearer` realm keys and a route's Bearer keys (validate_bearer.cpp). `auth` is the path of
/// the route's auth block, e.g. "routes[1].auth".
void check_bearer_realm(Checker& check, const Realm& realm, const std::string& path);
void check_route_bearer(Checker& check, const Route& route, const std::string& auth);

/// `scheme: digest` realm keys (validate_digest.cpp): an htdigest store, known and available algorithms
/// and qops, the nonce secret file.
void check_digest_realm(Checker& check, const Realm& realm, const std::string& path);

/// A route's (or a forward proxy's) realm list at `path` + ".realms[i]": each defined, once, one per
/// scheme; a warning when `route.groups` can never match.
void check_realm_list(Checker& check, const Route& route, const std::string& path);

/// `listeners[i].forward_proxy` (validate_forward_proxy.cpp): realms, rules, internal ranges.
void check_forward_proxy(Checker& check, const ForwardProxy& proxy, const std::string& path);

/// `listeners[i].forward_auth` (validate_forward_auth.cpp): the original-request style, trusted
/// sources, Envoy's path prefix.
void check_forward_auth(Checker& check, const ForwardAuth& auth, const std::string& path);

/// An `error_pages` map at `path` (validate_error_pages.cpp): statuses the gateway answers itself, once each.
void check_error_pages(Checker& check, const std::vector<ErrorPage>& pages, const std::string& path);

/// True when some route accepts a Basic realm (clear-text passwords on the wire).
bool uses_basic(const Config& config);

}  // namespace authgate::config::detail
