// compile() for forward-proxy listeners (see compile_forward_proxy.hpp).
#include "config/compile_forward_proxy.hpp"

#include "config/compile_challenges.hpp"

namespace authgate::config::detail {
namespace {

/// The parsed value of a list validate() has already parsed without error.
template <class Parsed>
auto parsed(Parsed result) {
  return std::move(*result);
}

CompiledProxyRule compile_rule(const ProxyRule& rule) {
  return CompiledProxyRule{rule.users,
                           rule.groups,
                           parsed(net::HostPatterns::parse(rule.hosts)),
                           parsed(net::PortRanges::parse(rule.ports)),
                           parsed(net::PortRanges::parse(rule.connect_ports)),
                           rule.methods};
}

}  // namespace

void build_forward_proxies(Snapshot& snapshot) {
  std::size_t count = 0;
  for (const auto& listener : snapshot.config.listeners) count += listener.forward_proxy ? 1 : 0;
  snapshot.forward_proxies.reserve(count);  // each route's action points at its own element
  for (const auto& listener : snapshot.config.listeners) {
    if (!listener.forward_proxy) continue;
    const ForwardProxy& source = *listener.forward_proxy;
    auto& proxy = snapshot.forward_proxies.emplace_back();
    proxy.listener = listener.name;
    proxy.source = &source;
    for (const auto& rule : source.rules) proxy.rules.push_back(compile_rule(rule));
    proxy.allow_internal = parsed(net::AddressRanges::parse(source.allow_internal));
    CompiledRoute& route = proxy.route;
    route.action = ProxyTo{&proxy};
    route.requirement.realms = source.realms;
    route.requirement.users = source.users;
    route.requirement.groups = source.groups;
    for (const auto& name : source.realms) {
      for (const auto& realm : snapshot.realms) {
        if (realm.name == name) route.realms.push_back(&realm);
      }
    }
    for (const auto* realm : route.realms) route.schemes.push_back(realm->scheme.get());
    route.pass_authorization = true;  // Authorization is the origin's (RFC 9110 §11.6.2): it passes untouched
    route.max_body_bytes = snapshot.config.limits.max_body_bytes;
    if (snapshot.config.throttle) route.throttle = &*snapshot.config.throttle;
    route.state = snapshot.state.get();
    // A forward proxy has no routes of its own: the top-level pages.
    route.error_pages = snapshot.error_pages;
    route.fixed_challenges = fixed_challenges_of(route.schemes);
  }
}

void build_forward_auths(Snapshot& snapshot) {
  for (const auto& listener : snapshot.config.listeners) {
    if (!listener.trusted_proxies.empty()) {
      snapshot.trusted_proxies.emplace_back(listener.name,
                                            parsed(net::AddressRanges::parse(listener.trusted_proxies)));
    }
    if (!listener.forward_auth) continue;
    const ForwardAuth& source = *listener.forward_auth;
    auto& auth = snapshot.forward_auths.emplace_back();
    auth.listener = listener.name;
    auth.style = *gateway::original_style(source.original_request);
    auth.trusted_sources = parsed(net::AddressRanges::parse(source.trusted_sources));
    auth.path_prefix = source.path_prefix;
    auth.nginx_compat = source.nginx_compat;
  }
}

}  // namespace authgate::config::detail
