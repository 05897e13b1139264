// Checks of a forward-proxy listener (docs/forward-proxy.md): its realms like a route's, and every rule's
// hosts, ports and methods parsed as the gateway will use them.
#include "config/checker.hpp"
#include "config/syntax.hpp"
#include "net/destination_policy.hpp"

namespace authgate::config::detail {
namespace {

void check_names(Checker& check, const std::vector<std::string>& names, const std::string& path,
                 const char* what) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) check.error(path + "[" + std::to_string(i) + "]", std::string("empty ") + what);
  }
}

void check_rule(Checker& check, const ProxyRule& rule, const std::string& path) {
  check_names(check, rule.users, path + ".users", "user name");
  check_names(check, rule.groups, path + ".groups", "group name");
  if (auto hosts = net::HostPatterns::parse(rule.hosts); !hosts) check.error(path + ".hosts", hosts.error());
  if (auto ports = net::PortRanges::parse(rule.ports); !ports) check.error(path + ".ports", ports.error());
  if (auto ports = net::PortRanges::parse(rule.connect_ports); !ports) {
    check.error(path + ".connect_ports", ports.error());
  }
  for (std::size_t i = 0; i < rule.methods.size(); ++i) {
    if (!is_token(rule.methods[i])) {
      check.error(path + ".methods[" + std::to_string(i) + "]",
                  "expected a method token, got " + in_quotes(rule.methods[i]));
    }
  }
}

}  // namespace

void check_forward_proxy(Checker& check, const ForwardProxy& proxy, const std::string& path) {
  if (proxy.realms.empty()) {
    check.error(path + ".realms", "a forward proxy authenticates: list at least one realm");
  } else {
    Route as_route;
    as_route.realms = proxy.realms;
    as_route.groups = proxy.groups;
    check_realm_list(check, as_route, path);
  }
  check_names(check, proxy.users, path + ".users", "user name");
  check_names(check, proxy.groups, path + ".groups", "group name");
  if (proxy.rules.empty()) check.error(path + ".rules", "no rule: nobody could go anywhere");
  for (std::size_t i = 0; i < proxy.rules.size(); ++i) {
    check_rule(check, proxy.rules[i], path + ".rules[" + std::to_string(i) + "]");
  }
  if (auto ranges = net::AddressRanges::parse(proxy.allow_internal); !ranges) {
    check.error(path + ".allow_internal", ranges.error());
  }
}

}  // namespace authgate::config::detail
