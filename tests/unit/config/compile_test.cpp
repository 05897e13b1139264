// compile() / load_snapshot(): the example compiles into schemes, stores and routes; Snapshot::match
// picks the first matching route; store-file errors surface at their own file:line.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <type_traits>

#include "config/compile.hpp"
#include "config/load_yaml.hpp"
#include "config_test_util.hpp"

namespace authgate::config {
namespace {

static_assert(!std::is_copy_constructible_v<Snapshot> && !std::is_move_constructible_v<Snapshot>,
              "routes point into the snapshot: it must stay where it was built");

// The shipped example, loaded as if it sat in tests/data/config (next to users.htpasswd, groups.txt).
std::shared_ptr<const Snapshot> example_snapshot(std::uint64_t generation = 7) {
  const std::string text = testing::read_text(testing::repo_dir() + "/examples/reverse-proxy.yaml");
  auto config = load_yaml_string(text, testing::data_dir() + "/reverse-proxy.yaml");
  if (!config) throw std::runtime_error(testing::all_text(config.error()));
  auto snapshot = compile(std::move(*config), generation);
  if (!snapshot) throw std::runtime_error(testing::all_text(snapshot.error()));
  return *snapshot;
}

TEST(CompileTest, TheExampleCompilesWithoutWarnings) {
  const auto snapshot = example_snapshot();
  EXPECT_EQ(snapshot->generation, 7u);
  EXPECT_TRUE(snapshot->warnings.empty()) << snapshot->warnings.front();
  ASSERT_EQ(snapshot->realms.size(), 1u);
  ASSERT_EQ(snapshot->stores.size(), 1u);
  EXPECT_EQ(snapshot->stores[0]->generation(), 7u);
  ASSERT_NE(snapshot->stores[0]->find("alice"), nullptr);
  EXPECT_EQ(snapshot->stores[0]->groups_of("alice"), (std::vector<std::string>{"admins", "staff"}));
}

// Issue 12: the request path reads compiled values, never the config's strings.
TEST(CompileTest, TheUnmatchedStatusIsCompiledToANumber) {
  EXPECT_EQ(example_snapshot()->unmatched_status, 404) << "the default";
  const std::string text = testing::read_text(testing::repo_dir() + "/examples/reverse-proxy.yaml");
  auto config = load_yaml_string(text, testing::data_dir() + "/reverse-proxy.yaml");
  ASSERT_TRUE(config.has_value());
  config->server.unmatched = "403";
  auto snapshot = compile(std::move(*config), 1);
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  EXPECT_EQ((*snapshot)->unmatched_status, 403);
}

TEST(CompileTest, RoutesCarryTheirRequirementRealmsAndUpstream) {
  const auto snapshot = example_snapshot();
  ASSERT_EQ(snapshot->routes.size(), 3u);
  const CompiledRoute& pub = snapshot->routes[0];
  EXPECT_TRUE(pub.requirement.anonymous);
  EXPECT_TRUE(pub.realms.empty());
  const CompiledRoute& admin = snapshot->routes[1];
  EXPECT_FALSE(admin.requirement.anonymous);
  EXPECT_EQ(admin.requirement.realms, std::vector<std::string>{"staff"});
  EXPECT_EQ(admin.requirement.groups, std::vector<std::string>{"admins"});
  ASSERT_EQ(admin.realms.size(), 1u);
  EXPECT_EQ(admin.realms[0], &snapshot->realms[0]);
  EXPECT_EQ(admin.schemes, std::vector<const Scheme*>{snapshot->realms[0].scheme.get()});
  const auto& forward = std::get<ForwardTo>(admin.action);
  ASSERT_NE(forward.upstream, nullptr);
  EXPECT_EQ(forward.upstream->name, "app");
  ASSERT_NE(forward.upstream_url, nullptr);
  EXPECT_EQ(forward.upstream_url->port, 3000);
  EXPECT_EQ(forward.upstream_url->host, "127.0.0.1");
  EXPECT_EQ(admin.max_body_bytes, 1ull << 30) << "the limits default";
  EXPECT_EQ(snapshot->routes[2].max_body_bytes, 10u << 20) << "the route's own limit";
  EXPECT_EQ(snapshot->routes[2].requirement.users, (std::vector<std::string>{"alice", "bob"}));
  EXPECT_EQ(snapshot->routes[2].source, &snapshot->config.routes[2]);
}

TEST(CompileTest, RealmSchemesChallengeWithTheirRealmString) {
  const auto snapshot = example_snapshot();
  const auto challenge = snapshot->realms[0].scheme->challenge(ChallengeContext{});
  EXPECT_TRUE(grammar::iequals(challenge.scheme, "Basic"));
  const std::string* realm = grammar::find_param(challenge.params, "realm");
  ASSERT_NE(realm, nullptr);
  EXPECT_EQ(*realm, "Staff area");
}

TEST(CompileTest, WatchedFilesAreTheConfigAndEveryFileItNames) {
  const auto snapshot = example_snapshot();
  const std::string dir = testing::data_dir();
  EXPECT_EQ(
      snapshot->watched_files,
      (std::vector<std::string>{dir + "/reverse-proxy.yaml", dir + "/users.htpasswd", dir + "/groups.txt"}));
}

struct MatchCase {
  std::string name;
  std::string host;
  std::string path;
  std::string method;
  std::string expected_route;  // "" = no route (server.unmatched)
  std::string why;
};

std::vector<MatchCase> match_cases() {
  return {
      {"PublicPrefixMatchesAnyHost", "anything", "/public/a.css", "GET", "public", "no hosts = any host"},
      {"AdminMatchesListedMethod", "x", "/admin", "POST", "admin", "GET and POST listed"},
      {"AdminRefusesOtherMethodOnOtherHost", "x", "/admin", "DELETE", "",
       "falls through; x is not app's host"},
      {"AdminOtherMethodFallsToApp", "app.example.com", "/admin", "DELETE", "app",
       "first match that fits wins"},
      {"AdministratorIsNotAdmin", "x", "/administrator", "GET", "", "segment boundary"},
      {"AppHostMatchesCaseInsensitively", "APP.Example.COM", "/", "GET", "app", "hosts ignore case"},
      {"WildcardHostMatchesDeepLabels", "a.b.example.org", "/x", "PUT", "app", "one or more labels"},
      {"WildcardHostNeedsALabel", "example.org", "/x", "GET", "", "*.example.org is not example.org"},
      {"FirstMatchWins", "app.example.com", "/public", "GET", "public", "public comes before app"},
      {"HostWithTrailingDotIsTheSameHost", "app.example.com.", "/", "GET", "app", "absolute DNS name"},
  };
}

class SnapshotMatchTest : public ::testing::TestWithParam<MatchCase> {
 protected:
  static void SetUpTestSuite() { snapshot_ = example_snapshot(); }
  static void TearDownTestSuite() { snapshot_.reset(); }
  static std::shared_ptr<const Snapshot> snapshot_;
};
std::shared_ptr<const Snapshot> SnapshotMatchTest::snapshot_;

TEST_P(SnapshotMatchTest, PicksTheFirstMatchingRoute) {
  const auto& c = GetParam();
  const CompiledRoute* route = snapshot_->match(c.host, c.path, c.method);
  if (c.expected_route.empty()) {
    EXPECT_EQ(route, nullptr) << route->source->name << " — " << c.why;
  } else {
    ASSERT_NE(route, nullptr) << c.why;
    EXPECT_EQ(route->source->name, c.expected_route) << c.why;
  }
}
INSTANTIATE_TEST_SUITE_P(Example, SnapshotMatchTest, ::testing::ValuesIn(match_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(CompileTest, StoreFileErrorsSurfaceAtTheirOwnLine) {
  const std::string text = testing::read_text(testing::repo_dir() + "/examples/reverse-proxy.yaml");
  auto config = load_yaml_string(text, testing::data_dir() + "/reverse-proxy.yaml");
  ASSERT_TRUE(config.has_value());
  config->stores[0].path = testing::data_dir() + "/broken.htpasswd";
  const auto snapshot = compile(std::move(*config), 1);
  ASSERT_FALSE(snapshot.has_value());
  const auto problem = testing::find_problem(snapshot.error(), "broken.htpasswd:2:");
  ASSERT_TRUE(problem.has_value()) << testing::all_text(snapshot.error());
  EXPECT_EQ(problem->path, "stores.staff");
}

TEST(CompileTest, InvalidConfigIsRefusedWithEveryProblem) {
  auto config = load_yaml_string(
      "listeners: [{port: 1}, {port: 1}]\nroutes: [{upstream: nowhere, auth: {realms: [nobody]}}]\n",
      testing::data_dir() + "/bad.yaml");
  ASSERT_TRUE(config.has_value());
  const auto snapshot = compile(std::move(*config), 1);
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_TRUE(testing::find_problem(snapshot.error(), "already used"));
  EXPECT_TRUE(testing::find_problem(snapshot.error(), "unknown upstream 'nowhere'"));
  EXPECT_TRUE(testing::find_problem(snapshot.error(), "unknown realm 'nobody'"));
}

TEST(CompileTest, InCodeConfigWithoutUpstreamIsTheDemoEcho) {
  Config config;
  config.listeners.push_back(Listener{});
  Route route;
  route.name = "echo";
  route.anonymous = true;
  config.routes.push_back(route);
  const auto snapshot = compile(std::move(config), 1);
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  const CompiledRoute* matched = (*snapshot)->match("localhost", "/anything", "GET");
  ASSERT_NE(matched, nullptr);
  EXPECT_EQ(std::get<ForwardTo>(matched->action).upstream, nullptr);
  EXPECT_EQ(std::get<ForwardTo>(matched->action).upstream_url, nullptr);
  EXPECT_TRUE((*snapshot)->watched_files.empty());
}

TEST(CompileTest, LoadSnapshotReportsLoaderAndValidationProblemsTogether) {
  const std::string path = ::testing::TempDir() + "/config-every-problem.yaml";
  {
    std::ofstream out(path);
    out << "listeners: [{port: 8080}]\n"
           "limits: {header_timeout: ten}\n"
           "upstreams: {app: {url: \"http://127.0.0.1:1\"}}\n"
           "routes: [{upstream: nowhere, auth: anonymous}]\n";
  }
  const auto snapshot = load_snapshot(path, 1);
  ASSERT_FALSE(snapshot.has_value());
  const Problems problems = snapshot.error();
  ASSERT_EQ(problems.size(), 2u) << testing::all_text(problems);
  EXPECT_EQ(problems[0].path, "limits.header_timeout") << "sorted by line";
  EXPECT_EQ(problems[0].pos.line, 2);
  EXPECT_EQ(problems[1].path, "routes[0].upstream");
  EXPECT_EQ(problems[1].pos.line, 4);
  std::remove(path.c_str());
}

TEST(CompileTest, ValidationDoesNotEchoWhatTheLoaderRefused) {
  const std::string path = ::testing::TempDir() + "/config-no-echo.yaml";
  {
    std::ofstream out(path);
    out << "listeners: [{port: 8080}]\nroutes: [{upstream: a, auth: everyone}]\n";
  }
  const auto snapshot = load_snapshot(path, 1);
  ASSERT_FALSE(snapshot.has_value());
  const Problems problems = snapshot.error();
  EXPECT_TRUE(testing::find_problem(problems, "expected 'anonymous' or a map"))
      << testing::all_text(problems);
  EXPECT_FALSE(testing::find_problem(problems, "must list at least one realm"))
      << testing::all_text(problems);
  std::remove(path.c_str());
}

TEST(CompileTest, LoadSnapshotReportsAMissingFile) {
  const auto snapshot = load_snapshot(testing::data_dir() + "/absent.yaml", 1);
  ASSERT_FALSE(snapshot.has_value());
  EXPECT_TRUE(testing::find_problem(snapshot.error(), "absent.yaml: no such file"));
}

}  // namespace
}  // namespace authgate::config
