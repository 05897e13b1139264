// load_yaml / load_yaml_string: every mistake is reported at its line:col, all at once, and no input
// crashes or hangs the loader.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/load_yaml.hpp"
#include "config_test_util.hpp"

namespace authgate::config {
namespace {

using testing::find_problem;
using testing::minimal_yaml;

struct BadCase {
  std::string name;
  std::string yaml;
  std::string expected;  // substring of the formatted problem
  int line;
  int column;
  std::string why;
};

std::string with(const std::string& extra) { return std::string(minimal_yaml) + extra; }

std::vector<BadCase> bad_cases() {
  return {
      {"SyntaxErrorIsLocated", "listeners:\n  - port: 8080\n  port: 1: 2\n", "YAML syntax error", 3, 3,
       "yaml-cpp's own message, at its mark"},
      {"UnterminatedFlowIsASyntaxError", "routes: [\n", "YAML syntax error", 2, 1, "flow never closed"},
      {"UnknownTopLevelKeySuggestsTheRightOne", with("listner: []\n"),
       "unknown key (did you mean 'listeners'?)", 9, 1, "typos must not be ignored"},
      {"UnknownNestedKeyIsAnError", with("server:\n  io_thread: 2\n"), "server.io_thread: unknown key", 10, 3,
       "typos deep down too"},
      {"DuplicateKeyIsAnError", with("cache:\n  ttl: 1m\n  ttl: 2m\n"), "cache.ttl: duplicate key 'ttl'", 11,
       3, "yaml-cpp would silently keep one"},
      {"DurationWithoutUnitIsRefused", with("server:\n  shutdown_grace: 10\n"), "a unit is required", 10, 19,
       "10 what?"},
      {"DurationOutOfRangeIsRefused", with("limits:\n  header_timeout: 2h\n"), "must be from 100ms to 1h", 10,
       19, "range check"},
      {"DecimalSizeUnitIsRefused", with("limits:\n  max_body_bytes: 10MB\n"), "binary units", 10, 19,
       "MB is ambiguous"},
      {"SizeOutOfRangeIsRefused", with("limits:\n  max_header_bytes: 2MiB\n"), "must be from 1KiB to 1MiB",
       10, 21, "range check"},
      {"FormTokenBodyLargerThanTheRelayBufferIsRefused",
       with("limits:\n  max_form_token_body_bytes: 128KiB\n"), "must be from 1KiB to 64KiB", 10, 30,
       "the form is read whole into the 64 KiB relay buffer"},
      {"ChunkMetadataLimitOutOfRangeIsRefused", with("limits:\n  max_chunk_metadata_bytes: 1MiB\n"),
       "must be from 256 to 64KiB", 10, 29, "issue 11 F5: a small limit"},
      {"PortAboveRangeIsRefused", "listeners:\n  - port: 70000\n", "from 1 to 65535, got '70000'", 2, 11,
       "not a port"},
      {"PortZeroIsRefused", "listeners:\n  - port: 0\n", "from 1 to 65535, got '0'", 2, 11, "not a port"},
      {"NegativeNumberIsRefused", with("cache:\n  max_entries: -1\n"), "whole number", 10, 16, "no signs"},
      {"ThrottleBanOutOfRangeIsRefused", with("throttle:\n  users: {ban: 200h}\n"), "must be from 1s to", 10,
       16, "a week at most: a ban is not an account lock"},
      {"ThrottlePrefixOutOfRangeIsRefused", with("throttle:\n  ipv6_prefix: 16\n"), "from 32 to 128", 10, 16,
       "a /16 would be a whole provider"},
      {"ThrottleTypoIsAnError", with("throttle:\n  user: {max_failures: 3}\n"),
       "throttle.user: unknown key (did you mean 'users'?)", 10, 3, "typo in the throttle block"},
      {"YesIsNotABoolean", with("access_log:\n  enabled: yes\n"), "expected true or false, got 'yes'", 10, 12,
       "the Norway problem"},
      {"MissingPortIsReported", "listeners:\n  - address: 127.0.0.1\n", "missing required key 'port'", 2, 5,
       "a listener needs a port"},
      {"MissingAuthIsReported", "routes:\n  - upstream: app\n", "missing required key 'auth'", 2, 5,
       "no silent anonymous default"},
      {"AuthMustBeAnonymousOrAMap", "routes:\n  - {upstream: app, auth: none}\n",
       "expected 'anonymous' or a map with 'realms'", 2, 27, "only one scalar spelling"},
      {"UnknownAuthKeyIsAnError", "routes:\n  - upstream: app\n    auth: {realm: [a]}\n",
       "routes[0].auth.realm: unknown key (did you mean 'realms'?)", 3, 12, "typo in the auth block"},
      {"MatchTypoIsAnError", "routes:\n  - {upstream: a, auth: anonymous, match: {pth: /}}\n",
       "routes[0].match.pth: unknown key (did you mean 'path'?)", 2, 44, "typo in match"},
      {"UpstreamWithoutUrlIsReported", "upstreams:\n  app: {connect_timeout: 1s}\n",
       "missing required key 'url'", 2, 8, "an upstream needs a URL"},
      {"StoreWithoutPathIsReported", "stores:\n  s: {type: htpasswd}\n", "missing required key 'path'", 2, 6,
       "a store needs a file"},
      {"ListWhereAMapBelongs", "upstreams:\n  - app\n", "upstreams: expected a map", 2, 3,
       "named collections are maps"},
      {"MapWhereAListBelongs", "listeners: {port: 1}\n", "listeners: expected a list, got a map", 1, 12,
       "listeners are a list"},
      {"MapInAStringList", "routes:\n  - {upstream: a, auth: {realms: [{x: 1}]}}\n",
       "expected a string, got a map", 2, 35, "list items are strings"},
      {"NullStringIsRefused", "upstreams:\n  app:\n    url:\n", "expected a string, got nothing (null)", 3, 5,
       "an empty value is not an empty string"},
      {"ComplexKeyIsRefused", "? [a, b]\n: c\n", "keys must be plain strings", 1, 3, "no collection keys"},
      {"EmptyDocumentIsRefused", "", "the configuration is empty", 0, 0, "nothing to serve"},
      {"CommentOnlyDocumentIsRefused", "# nothing\n", "the configuration is empty", 0, 0, "nothing to serve"},
      {"TopLevelListIsRefused", "- a\n- b\n", "expected a map", 1, 1, "the document is a map"},
      {"TwoDocumentsAreRefused", "a: 1\n---\nb: 2\n", "expected one YAML document", 2, 1,
       "which one would count?"},
      {"ContentAfterDocumentEndIsASecondDocument", "a: 1\n...\nb: 2\n", "expected one YAML document", 3, 1,
       "'...' ends the document"},
      {"StrayCommaIsRefusedNotLoopedOn", ",a :a\n", "expected a map of sections", 1, 1,
       "yaml-cpp 0.7 LoadAll() never returns on this (found by fuzz_config_yaml)"},
      {"BareScalarIsNotAConfig", "hello\n", "expected a map", 1, 1, "the document is a map"},
      {"DeepFlowNestingIsRefusedBeforeParsing", std::string(100, '[') + std::string(100, ']'),
       "nested deeper than 64 levels", 1, 64, "yaml-cpp recursion must stay bounded"},
      {"DeepBlockNestingIsRefusedBeforeParsing",
       [] {
         std::string text;
         for (int i = 0; i < 80; ++i) text += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
         return text;
       }(),
       "nested deeper than 64 levels", 65, 65, "indentation nests too"},
      {"TooManyHostsAreRefused",
       [] {
         std::string hosts;
         for (int i = 0; i < 300; ++i) hosts += "h" + std::to_string(i) + ",";
         return "routes:\n  - {upstream: a, auth: anonymous, match: {hosts: [" + hosts + "]}}\n";
       }(),
       "too many entries (300; the limit is 256)", 2, 51, "per-route limits"},
  };
}

class BadConfigTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadConfigTest, IsRefusedWithAPositionedMessage) {
  const BadCase& c = GetParam();
  const auto result = load_yaml_string(c.yaml, "bad.yaml");
  ASSERT_FALSE(result.has_value()) << c.why;
  const auto problem = find_problem(result.error(), c.expected);
  ASSERT_TRUE(problem.has_value()) << "expected '" << c.expected << "' in:\n"
                                   << testing::all_text(result.error());
  EXPECT_EQ(problem->pos.file, "bad.yaml");
  EXPECT_EQ(problem->pos.line, c.line) << problem->to_string();
  EXPECT_EQ(problem->pos.column, c.column) << problem->to_string();
  EXPECT_EQ(problem->severity, Severity::error);
}

INSTANTIATE_TEST_SUITE_P(Mistakes, BadConfigTest, ::testing::ValuesIn(bad_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(LoadYamlTest, EveryProblemIsReportedNotJustTheFirst) {
  const auto result = load_yaml_string(
      "server: {io_thread: 1, shutdown_grace: soon}\nlisteners:\n  - {port: 0, adress: x}\n", "many.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().size(), 4u) << testing::all_text(result.error());
}

TEST(LoadYamlTest, ProblemsReadFileLineColPathReason) {
  const auto result = load_yaml_string("listeners:\n  - port: 0\n", "dir/a.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().front().to_string(),
            "dir/a.yaml:2:11: listeners[0].port: expected a whole number from 1 to 65535, got '0'");
}

TEST(LoadYamlTest, MinimalConfigLoadsWithDefaults) {
  const auto result = load_yaml_string(minimal_yaml, "min.yaml");
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  EXPECT_EQ(result->listeners.at(0).port, 8080);
  EXPECT_EQ(result->listeners.at(0).address, "127.0.0.1");
  EXPECT_EQ(result->server.unmatched, "404");
  EXPECT_EQ(result->limits.header_timeout, std::chrono::seconds(10));
  EXPECT_TRUE(result->routes.at(0).anonymous);
  EXPECT_FALSE(result->admin.has_value());
}

// Issue 11 F5 and issue 12: limits that were constants are keys, with the old values as defaults.
TEST(LoadYamlTest, BodyAndConnectionLimitsAreKeysWithTheirOldDefaults) {
  const auto defaults = load_yaml_string(minimal_yaml, "min.yaml");
  ASSERT_TRUE(defaults.has_value());
  EXPECT_EQ(defaults->limits.max_chunk_metadata_bytes, 4u * 1024);
  EXPECT_EQ(defaults->limits.drain_bytes, 64u * 1024);
  EXPECT_EQ(defaults->limits.linger_timeout, std::chrono::seconds(2));
  EXPECT_EQ(defaults->limits.linger_bytes, 1024u * 1024);
  EXPECT_EQ(defaults->limits.max_form_token_body_bytes, 16u * 1024);
  const auto set = load_yaml_string(with("limits:\n  max_chunk_metadata_bytes: 1KiB\n  drain_bytes: 0\n"
                                         "  linger_timeout: 500ms\n  linger_bytes: 256KiB\n"
                                         "  max_form_token_body_bytes: 4KiB\n"),
                                    "set.yaml");
  ASSERT_TRUE(set.has_value()) << testing::all_text(set.error());
  EXPECT_EQ(set->limits.max_chunk_metadata_bytes, 1024u);
  EXPECT_EQ(set->limits.drain_bytes, 0u);
  EXPECT_EQ(set->limits.linger_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(set->limits.linger_bytes, 256u * 1024);
  EXPECT_EQ(set->limits.max_form_token_body_bytes, 4u * 1024);
}

TEST(LoadYamlTest, RelativePathsResolveAgainstTheConfigDirectory) {
  const auto result = load_yaml_string(std::string(minimal_yaml) +
                                           "stores:\n  s: {path: users.htpasswd, groups: ../g/groups.txt}\n"
                                           "  t: {path: /abs/users}\n",
                                       "/etc/authgate/main.yaml");
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  EXPECT_EQ(result->stores.at(0).path, "/etc/authgate/users.htpasswd");
  EXPECT_EQ(result->stores.at(0).groups_path, "/etc/g/groups.txt");
  EXPECT_EQ(result->stores.at(1).path, "/abs/users");
}

TEST(LoadYamlTest, TheShippedExampleLoadsEveryKey) {
  const auto result = load_yaml(testing::repo_dir() + "/examples/reverse-proxy.yaml");
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  const Config& c = *result;
  EXPECT_EQ(c.server.max_pending_hashes, 1024u);
  EXPECT_EQ(c.limits.max_header_bytes, 16u * 1024);
  EXPECT_EQ(c.limits.max_body_bytes, 1ull << 30);
  ASSERT_TRUE(c.admin.has_value());
  EXPECT_EQ(c.admin->port, 9199);
  ASSERT_EQ(c.upstreams.size(), 1u);
  EXPECT_EQ(c.upstreams[0].name, "app");
  EXPECT_EQ(c.upstreams[0].response_timeout, std::chrono::seconds(60));
  ASSERT_EQ(c.realms.size(), 1u);
  EXPECT_EQ(c.realms[0].realm, "Staff area");
  ASSERT_EQ(c.routes.size(), 3u);
  EXPECT_EQ(c.routes[1].match.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(c.routes[1].groups, std::vector<std::string>{"admins"});
  EXPECT_EQ(c.routes[2].match.hosts, (std::vector<std::string>{"app.example.com", "*.example.org"}));
  EXPECT_EQ(c.routes[2].max_body_bytes, 10u << 20);
  EXPECT_EQ(c.identity_headers.groups, "X-Auth-Groups");
  EXPECT_EQ(c.cache.ttl, std::chrono::minutes(5));
  EXPECT_EQ(c.access_log.path, "-");
}

TEST(LoadYamlTest, MissingFileIsAProblemNotAnException) {
  const auto result = load_yaml(testing::data_dir() + "/does-not-exist.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().front().to_string().find("no such file"), std::string::npos)
      << result.error().front().to_string();
}

TEST(LoadYamlTest, DirectoryIsNotAConfigFile) {
  const auto result = load_yaml(testing::data_dir());
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().front().reason.find("not a regular file"), std::string::npos);
}

TEST(LoadYamlTest, OversizedTextIsRefusedUnparsed) {
  const std::string huge = std::string(minimal_yaml) + "#" + std::string(4u << 20, 'x') + "\n";
  const auto result = load_yaml_string(huge, "huge.yaml");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().front().reason.find("larger than the limit"), std::string::npos);
}

TEST(LoadYamlTest, AliasExpansionIsBounded) {
  // A "billion laughs" document: each level doubles the hosts a route would list.
  std::string text = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    const std::string prev = "*a" + std::to_string(i - 1);
    text += "a" + std::to_string(i) + ": &a" + std::to_string(i) + " [" + prev + "," + prev + "," + prev +
            "," + prev + "," + prev + "," + prev + "," + prev + "," + prev + "," + prev + "," + prev + "]\n";
  }
  text += "routes: [*a7]\n";
  const auto result = load_yaml_string(text, "laughs.yaml");
  EXPECT_FALSE(result.has_value());  // unknown keys a0..a7, and a route that is a list: bounded, refused
}

TEST(LoadYamlTest, AliasedAllowListsStopAtTheValueBudget) {
  std::string users;
  for (int i = 0; i < 1000; ++i) users += "u" + std::to_string(i) + ",";
  std::string routes;
  for (int i = 0; i < 300; ++i) routes += "*r,";
  const std::string text =
      "x: &r {upstream: a, auth: {realms: [s], users: [" + users + "]}}\nroutes: [" + routes + "]\n";
  const auto report = read_yaml_string(text, "bomb.yaml");
  EXPECT_TRUE(testing::find_problem(report.problems, "more than 200000 values"))
      << testing::all_text(report.problems);
  EXPECT_FALSE(report.readable) << "a truncated read is not validated further";
}

TEST(LoadYamlTest, AnchorsAndAliasesWorkForLegitimateReuse) {
  const auto result = load_yaml_string(
      "listeners: [{port: 8080}]\nupstreams: {app: {url: \"http://127.0.0.1:1\"}}\n"
      "routes:\n  - {name: a, upstream: app, auth: anonymous, match: &m {hosts: [x.org], path: /a}}\n"
      "  - {name: b, upstream: app, auth: anonymous, match: *m}\n",
      "alias.yaml");
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  EXPECT_EQ(result->routes[1].match.path, "/a");
}

}  // namespace
}  // namespace authgate::config
