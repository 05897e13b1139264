// validate(): normalisation, then the section checks in document order.
#include "config/validate.hpp"

#include "config/checker.hpp"
#include "config/syntax.hpp"

namespace authgate::config {
namespace {

void normalize_routes(std::vector<Route>& routes) {
  for (std::size_t i = 0; i < routes.size(); ++i) {
    Route& route = routes[i];
    if (route.name.empty()) route.name = "routes[" + std::to_string(i) + "]";
    for (auto& method : route.match.methods) method = to_upper(method);
    for (auto& host : route.match.hosts) {
      host = to_lower(host);
      if (host.size() > 1 && host.back() == '.') host.pop_back();
    }
  }
}

std::string unbracket(const std::string& address) {
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    return address.substr(1, address.size() - 2);
  }
  return address;
}

void normalize(Config& config) {
  for (std::size_t i = 0; i < config.listeners.size(); ++i) {
    Listener& listener = config.listeners[i];
    if (listener.name.empty()) listener.name = "listeners[" + std::to_string(i) + "]";
    listener.address = unbracket(listener.address);
  }
  if (config.admin) config.admin->address = unbracket(config.admin->address);
  for (auto& realm : config.realms) {
    realm.scheme = to_lower(realm.scheme);
    if (realm.realm.empty()) realm.realm = realm.name;
    // OpenID Connect Discovery §4.3: the issuer of the discovery document is the tokens' `iss`.
    auto& bearer = realm.bearer;
    if (bearer.issuer.empty() && bearer.remote) bearer.issuer = bearer.remote->discovery_issuer;
  }
  normalize_routes(config.routes);
}

}  // namespace

Problems validate(Config& config) {
  normalize(config);
  Problems problems;
  detail::Checker check(config, problems);
  detail::check_server(check);
  detail::check_listeners(check);
  detail::check_admin(check);
  detail::check_misc(check);
  detail::check_upstreams(check);
  detail::check_stores(check);
  detail::check_realms(check);
  detail::check_routes(check);
  detail::check_state(check);
  detail::check_error_pages(check, config.error_pages, "error_pages");
  return problems;
}

}  // namespace authgate::config
