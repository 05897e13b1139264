// validate() and compile() of forward-proxy listeners (docs/forward-proxy.md): every mistake at its own
// file:line:col, and a valid one compiled into a proxy-side route with its rules.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compile.hpp"
#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::expect_case;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

constexpr const char* proxy_yaml =
    "listeners:\n"
    "  - port: 8080\n"
    "  - name: proxy\n"
    "    port: 3128\n"
    "    forward_proxy:\n"
    "      realms: [staff]\n"
    "      rules:\n"
    "        - {groups: [admins], hosts: [\"*\"], connect_ports: [\"443\", \"8443\"]}\n"
    "        - {hosts: [\"*.example.com\"], ports: [\"80\"], methods: [GET]}\n"
    "      allow_internal: [\"10.1.0.0/16\"]\n"
    "upstreams:\n"
    "  app: {url: \"http://127.0.0.1:3000\"}\n"
    "stores:\n"
    "  staff: {path: users.htpasswd, groups: groups.txt}\n"
    "realms:\n"
    "  staff: {scheme: basic, realm: \"Staff area\", store: staff}\n"
    "routes:\n"
    "  - name: app\n"
    "    upstream: app\n"
    "    auth: {realms: [staff]}\n";

std::string edit(const std::string& from, const std::string& to) {
  std::string text = proxy_yaml;
  const auto at = text.find(from);
  if (at == std::string::npos) return "edit target not found: " + from;
  text.replace(at, from.size(), to);
  return text;
}

std::vector<Case> proxy_cases() {
  return {
      {"UnknownRealm", edit("realms: [staff]\n      rules", "realms: [nobody]\n      rules"), E,
       "listeners[1].forward_proxy.realms[0]: unknown realm 'nobody'", "nobody", "like a route's realms"},
      {"NoRealm", edit("realms: [staff]\n      rules", "realms: []\n      rules"), E,
       "list at least one realm", "[]", "a forward proxy authenticates"},
      {"BadHostPattern", edit("hosts: [\"*.example.com\"]", "hosts: [\"exa*mple.com\"]"), E,
       "listeners[1].forward_proxy.rules[1].hosts", "[\"exa*mple.com\"]", "'*' only as a whole first label"},
      {"BadPort", edit("ports: [\"80\"]", "ports: [\"0\"]"), E, "listeners[1].forward_proxy.rules[1].ports",
       "[\"0\"]", "no port 0"},
      {"ReversedRange", edit("connect_ports: [\"443\", \"8443\"]", "connect_ports: [\"9000-8000\"]"), E,
       "rules[0].connect_ports", "[\"9000-8000\"]", ""},
      {"BadMethod", edit("methods: [GET]", "methods: [\"G T\"]"), E,
       "rules[1].methods[0]: expected a method token", "\"G T\"", ""},
      {"BadInternalRange", edit("[\"10.1.0.0/16\"]", "[\"10.1.0.1/16\"]"), E,
       "listeners[1].forward_proxy.allow_internal", "[\"10.1.0.1/16\"]", "host bits set beyond the prefix"},
      {"UnknownKey", edit("allow_internal:", "allow_intranet:"), E, "allow_intranet", "allow_intranet",
       "a typo"},
      {"BasicProxyOnTheNetworkIsAWarning",
       edit("  - name: proxy\n", "  - name: proxy\n    address: 0.0.0.0\n"), W,
       "listeners[1]: Basic authentication over plain HTTP on 0.0.0.0", "name: proxy",
       "curl --proxy-basic sends the password in clear to the proxy too"},
      {"ARealmOnlyTheProxyUsesIsUsed",
       edit("routes:\n  - name: app\n    upstream: app\n    auth: {realms: [staff]}\n", "routes: []\n"), W,
       "no routes", "", "no 'not used by any route' warning for the proxy's realm"},
  };
}

class ValidateForwardProxyTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateForwardProxyTest, IsReportedAtItsPosition) {
  const auto& c = GetParam();
  if (c.name == "ARealmOnlyTheProxyUsesIsUsed") {
    const auto problems = testing::validate_text(c.yaml);
    EXPECT_FALSE(testing::find_problem(problems, "not used by any route").has_value())
        << testing::all_text(problems);
    return;
  }
  expect_case(c);
}

INSTANTIATE_TEST_SUITE_P(ForwardProxy, ValidateForwardProxyTest, ::testing::ValuesIn(proxy_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(CompileForwardProxy, TheListenerGetsAProxySideRouteAndItsRulesParsed) {
  auto config = load_yaml_string(proxy_yaml, testing::data_dir() + "/case.yaml");
  ASSERT_TRUE(config.has_value());
  auto snapshot = compile(std::move(*config), 1);
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  const auto* proxy = (*snapshot)->forward_proxy("proxy");
  ASSERT_NE(proxy, nullptr);
  EXPECT_EQ((*snapshot)->forward_proxy("main"), nullptr) << "the other listener is a reverse proxy";
  ASSERT_TRUE(std::holds_alternative<ProxyTo>(proxy->route.action));
  EXPECT_EQ(std::get<ProxyTo>(proxy->route.action).proxy, proxy);
  ASSERT_EQ(proxy->route.schemes.size(), 1u);
  EXPECT_EQ(proxy->route.schemes[0]->name(), "Basic");
  ASSERT_EQ(proxy->rules.size(), 2u);
  EXPECT_TRUE(proxy->rules[0].hosts.matches("anything.example"));
  EXPECT_TRUE(proxy->rules[0].connect_ports.contains(8443));
  EXPECT_FALSE(proxy->rules[0].connect_ports.contains(22));
  EXPECT_TRUE(proxy->rules[1].hosts.matches("a.example.com"));
  EXPECT_FALSE(proxy->rules[1].hosts.matches("example.com"));
  EXPECT_TRUE(proxy->rules[1].connect_ports.contains(443)) << "connect_ports default to 443";
  EXPECT_TRUE(proxy->allow_internal.contains(boost::asio::ip::make_address("10.1.2.3")));
}

}  // namespace
}  // namespace authgate::config
