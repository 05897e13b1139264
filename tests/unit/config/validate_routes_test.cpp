// validate(): route match syntax, auth blocks, names, and routes that can never match.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::edit;
using testing::expect_case;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

std::string public_match(const std::string& flow) { return edit("{path: /public}", flow); }
std::string extra_route(const std::string& flow) {
  return std::string(testing::base_yaml) + "  - " + flow + "\n";
}

std::vector<Case> route_cases() {
  return {
      {"PathMustStartWithSlash", public_match("{path: public}"), E,
       "routes[0].match.path: must start with '/'", "public}", "request paths always do"},
      {"PathMustNotHoldAQuery", public_match("{path: \"/public?x=1\"}"), E, "not allowed in a URL path",
       "\"/public?", "paths are matched without the query"},
      {"PathMustNotHoldDotSegments", public_match("{path: /a/../public}"), E, "'.' or '..' segments",
       "/a/../public", "request paths are normalised first, so this never matches"},
      {"PathMustNotEncodeUnreserved", public_match("{path: /%70ublic}"), E,
       "write p instead of its %-encoding", "/%70", "the gateway decodes %70 before matching"},
      {"PathMustNotHoldSpaces", public_match("{path: \"/a b\"}"), E, "not allowed in a URL path", "\"/a b\"",
       "not a path"},
      {"WildcardMustBeAWholeLabel", public_match("{path: /public, hosts: [\"a*.example.org\"]}"), E,
       "routes[0].match.hosts[0]: '*' is allowed only as a whole first label", "\"a*", "one wildcard form"},
      {"WildcardNeedsADomain", public_match("{path: /public, hosts: [\"*.\"]}"), E,
       "'*' is allowed only as a whole first label", "\"*.\"", "*. alone would be everything"},
      {"HostPatternHasNoPort", public_match("{path: /public, hosts: [\"example.org:8080\"]}"), E,
       "a host pattern has no port", "\"example.org:8080\"", "hosts are matched without the port"},
      {"MethodMustBeAToken", public_match("{path: /public, methods: [\"G T\"]}"), E,
       "routes[0].match.methods[0]: expected a method token, got 'G T'", "\"G T\"", "RFC 9110 §9.1"},
      {"DuplicateRouteNameIsAnError", edit("name: app", "name: public"), E, "duplicate route name 'public'",
       "public\n    upstream: app\n    auth: {", "names label metrics and logs"},
      {"RouteNameMustBeSimple", edit("name: app", "name: \"my app\""), E, "invalid name 'my app'",
       "\"my app\"", "names go into metric labels"},
      {"AnonymousRouteAfterCatchAllNeverMatches",
       extra_route("{name: late, upstream: app, auth: anonymous, match: {path: /late}}"), W,
       "routes[2]: never matches: route 'app' (routes[1]) comes first", "{name: late",
       "first match wins, so the catch-all swallows it"},
      {"SamePrefixTwiceNeverMatches",
       extra_route("{name: again, upstream: app, auth: anonymous, match: {path: /public/x}}"), W,
       "never matches: route 'public' (routes[0])", "{name: again", "/public covers /public/x"},
      {"GroupsWithoutGroupFileIsAWarning",
       edit({{", groups: groups.txt}", "}"}, {"[staff]}", "[staff], groups: [admins]}"}}), W,
       "no realm of this route has a group file", "[admins]", "nobody can ever be in a group"},
      {"MissingUpstreamIsAnErrorWhereAListenerProxies",
       edit("    upstream: app\n    auth: {realms", "    auth: {realms"), E,
       "routes[1].upstream: missing: listener 'listeners[0]' forwards requests to routes", "name: app",
       "where would it go?"},
      {"NoRoutesIsAWarning",
       edit("routes:\n  - name: public\n    match: {path: /public}\n    upstream: app\n    auth: anonymous\n "
            " - name: "
            "app\n    upstream: app\n    auth: {realms: [staff]}\n",
            "routes: []\n"),
       W, "no routes: every request is answered 404", "[]", "probably unfinished"},
  };
}

class ValidateRoutesTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateRoutesTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Routes, ValidateRoutesTest, ::testing::ValuesIn(route_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(ValidateRoutesTest, MethodsAreUpperCasedAndHostsLowerCased) {
  auto config =
      load_yaml_string(public_match("{path: /public, methods: [get, Post], hosts: [App.Example.COM.]}"),
                       testing::data_dir() + "/norm.yaml");
  ASSERT_TRUE(config.has_value());
  const Problems problems = validate(*config);
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
  EXPECT_EQ(config->routes[0].match.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(config->routes[0].match.hosts, std::vector<std::string>{"app.example.com"});
}

TEST(ValidateRoutesTest, NamesAndRealmStringsGetTheirDefaults) {
  auto config =
      load_yaml_string(edit({{"  - name: public\n    match", "  - match"}, {"realm: \"Staff area\", ", ""}}),
                       testing::data_dir() + "/defaults.yaml");
  ASSERT_TRUE(config.has_value()) << testing::all_text(config.error());
  const Problems problems = validate(*config);
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
  EXPECT_EQ(config->routes[0].name, "routes[0]");
  EXPECT_EQ(config->listeners[0].name, "listeners[0]");
  EXPECT_EQ(config->realms[0].realm, "staff");
}

// In-code configs (the demo) skip the loader, so validate() alone must catch what YAML cannot express.
TEST(ValidateRoutesTest, InCodeAnonymousRouteWithAllowListIsAnError) {
  auto config = load_yaml_string(testing::base_yaml, testing::data_dir() + "/code.yaml");
  ASSERT_TRUE(config.has_value());
  config->routes[0].users = {"alice"};
  const Problems problems = validate(*config);
  EXPECT_TRUE(testing::find_problem(problems, "an anonymous route lists no realms, users or groups"))
      << testing::all_text(problems);
}

TEST(ValidateRoutesTest, InCodeConfigProblemsNameThePathWithoutAPosition) {
  Config config;
  config.listeners.push_back(Listener{});
  Route route;
  route.name = "r";
  route.upstream = "missing";
  route.anonymous = true;
  config.routes.push_back(route);
  const Problems problems = validate(config);
  const auto problem = testing::find_problem(problems, "unknown upstream");
  ASSERT_TRUE(problem.has_value()) << testing::all_text(problems);
  EXPECT_EQ(problem->to_string(),
            "<config>: routes[0].upstream: unknown upstream 'missing' (defined: none defined)");
}

TEST(ValidateRoutesTest, MissingUpstreamIsFineWhenEveryListenerDecides) {
  // A forward-auth endpoint answers decisions; where the request goes is the front proxy's business.
  const Problems problems = testing::validate_text(
      edit({{"    upstream: app\n    auth: {realms", "    auth: {realms"},
            {"  - port: 8080\n", "  - port: 8080\n    forward_auth: {original_request: x-forwarded}\n"}}));
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
}

TEST(ValidateRoutesTest, AnEmptyUpstreamIsTheInCodeEcho) {
  Config config;
  config.listeners.push_back(Listener{});
  Route route;
  route.anonymous = true;
  config.routes.push_back(route);
  const Problems problems = validate(config);
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

}  // namespace
}  // namespace authgate::config
