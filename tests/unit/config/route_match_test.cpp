// Route matching: host patterns, segment-boundary prefixes, exact paths, methods, and the static
// "covers" relation behind the shadowed-route warning.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/route_match.hpp"

namespace authgate::config {
namespace {

struct HostCase {
  std::string name;
  std::string pattern;
  std::string host;
  bool expected;
  std::string why;
};

std::vector<HostCase> host_cases() {
  return {
      {"ExactHostMatches", "app.example.com", "app.example.com", true, "same name"},
      {"HostIsCaseInsensitive", "app.example.com", "APP.Example.COM", true,
       "RFC 9110 §4.2.3: host is case-insensitive"},
      {"TrailingDotIsTheSameHost", "app.example.com", "app.example.com.", true, "RFC 1034 absolute name"},
      {"OtherHostDoesNotMatch", "app.example.com", "api.example.com", false, "different name"},
      {"SuffixIsNotTheHost", "example.com", "app.example.com", false, "exact means exact"},
      {"HostIsNotASuffix", "app.example.com", "example.com", false, "exact means exact"},
      {"WildcardMatchesOneLabel", "*.example.org", "a.example.org", true, "one label"},
      {"WildcardMatchesSeveralLabels", "*.example.org", "a.b.example.org", true, "one or more labels"},
      {"WildcardDoesNotMatchTheBareDomain", "*.example.org", "example.org", false, "at least one label"},
      {"WildcardNeedsALabelBoundary", "*.example.org", "badexample.org", false, "not a substring match"},
      {"WildcardIsCaseInsensitive", "*.example.org", "A.EXAMPLE.ORG", true, "case-insensitive"},
      {"WildcardRejectsAnEmptyLabel", "*.example.org", ".example.org", false, "an empty label is no label"},
      {"WildcardRejectsTwoDotsBeforeTheSuffix", "*.example.org", "a..example.org", false, "empty label"},
      {"EmptyHostMatchesNoPattern", "example.org", "", false, "HTTP/1.0 without Host"},
      {"Ipv4HostMatchesExactly", "127.0.0.1", "127.0.0.1", true, "IP literal"},
      {"BracketedIpv6Matches", "[::1]", "[::1]", true, "as in the Host header"},
  };
}

class HostMatchTest : public ::testing::TestWithParam<HostCase> {};
TEST_P(HostMatchTest, MatchesAsDocumented) {
  const auto& c = GetParam();
  EXPECT_EQ(host_matches(c.pattern, c.host), c.expected) << c.why;
}
INSTANTIATE_TEST_SUITE_P(Hosts, HostMatchTest, ::testing::ValuesIn(host_cases()),
                         [](const auto& p) { return p.param.name; });

struct PathCase {
  std::string name;
  std::string route_path;
  bool exact;
  std::string path;
  bool expected;
  std::string why;
};

std::vector<PathCase> path_cases() {
  return {
      {"PrefixMatchesItself", "/admin", false, "/admin", true, "the segment itself"},
      {"PrefixMatchesWithTrailingSlash", "/admin", false, "/admin/", true, "the directory"},
      {"PrefixMatchesBelow", "/admin", false, "/admin/users/1", true, "below the segment"},
      {"PrefixStopsAtSegmentBoundary", "/admin", false, "/administrator", false, "not a string prefix"},
      {"PrefixDoesNotMatchParent", "/admin", false, "/", false, "above"},
      {"PrefixIsCaseSensitive", "/admin", false, "/ADMIN", false,
       "RFC 3986 §6.2.2.1: paths are case-sensitive"},
      {"SlashPrefixMatchesEverything", "/", false, "/anything/at/all", true, "the catch-all"},
      {"SlashPrefixMatchesRoot", "/", false, "/", true, "the catch-all"},
      {"TrailingSlashPrefixMatchesBelow", "/admin/", false, "/admin/x", true, "directory form"},
      {"TrailingSlashPrefixMatchesItself", "/admin/", false, "/admin/", true, "directory form"},
      {"TrailingSlashPrefixDoesNotMatchBareName", "/admin/", false, "/admin", false, "nginx-like"},
      {"ExactMatchesItself", "/exact", true, "/exact", true, "equal bytes"},
      {"ExactDoesNotMatchBelow", "/exact", true, "/exact/more", false, "exact means exact"},
      {"ExactDoesNotMatchTrailingSlash", "/exact", true, "/exact/", false, "exact means exact"},
      {"EncodedSlashIsNotASegmentBoundary", "/a", false, "/a%2Fb", false,
       "%2F stays encoded: one segment 'a%2Fb'"},
  };
}

class PathMatchTest : public ::testing::TestWithParam<PathCase> {};
TEST_P(PathMatchTest, MatchesAsDocumented) {
  const auto& c = GetParam();
  EXPECT_EQ(path_matches(c.route_path, c.exact, c.path), c.expected) << c.why;
}
INSTANTIATE_TEST_SUITE_P(Paths, PathMatchTest, ::testing::ValuesIn(path_cases()),
                         [](const auto& p) { return p.param.name; });

RouteMatch make(std::vector<std::string> hosts, std::string path, bool exact = false,
                std::vector<std::string> methods = {}) {
  RouteMatch m;
  m.hosts = std::move(hosts);
  m.path = std::move(path);
  m.exact = exact;
  m.methods = std::move(methods);
  return m;
}

TEST(RequestMatchTest, MethodsAreComparedExactly) {
  const RouteMatch m = make({}, "/", false, {"GET", "POST"});
  EXPECT_TRUE(request_matches(m, "h", "/", "GET"));
  EXPECT_TRUE(request_matches(m, "h", "/", "POST"));
  EXPECT_FALSE(request_matches(m, "h", "/", "get")) << "RFC 9110 §9.1: methods are case-sensitive";
  EXPECT_FALSE(request_matches(m, "h", "/", "HEAD")) << "HEAD is not implied by GET";
  EXPECT_TRUE(request_matches(make({}, "/"), "h", "/", "PROPFIND")) << "no methods = any method";
}

TEST(RequestMatchTest, EveryPartMustMatch) {
  const RouteMatch m = make({"a.org"}, "/x", false, {"GET"});
  EXPECT_TRUE(request_matches(m, "a.org", "/x/y", "GET"));
  EXPECT_FALSE(request_matches(m, "b.org", "/x/y", "GET"));
  EXPECT_FALSE(request_matches(m, "a.org", "/y", "GET"));
  EXPECT_FALSE(request_matches(m, "a.org", "/x", "PUT"));
}

struct CoverCase {
  std::string name;
  RouteMatch earlier;
  RouteMatch later;
  bool expected;
  std::string why;
};

std::vector<CoverCase> cover_cases() {
  return {
      {"CatchAllCoversEverything", make({}, "/"), make({"a.org"}, "/x", true, {"GET"}), true, "matches all"},
      {"PrefixCoversDeeperPrefix", make({}, "/a"), make({}, "/a/b"), true, "/a/b is under /a"},
      {"PrefixCoversItself", make({}, "/a"), make({}, "/a"), true, "a duplicate"},
      {"PrefixDoesNotCoverSibling", make({}, "/a"), make({}, "/ab"), false, "segment boundary"},
      {"DeeperPrefixDoesNotCoverShallower", make({}, "/a/b"), make({}, "/a"), false, "/a/c escapes"},
      {"DirectoryPrefixDoesNotCoverBareName", make({}, "/a/"), make({}, "/a"), false, "/a itself escapes"},
      {"ExactCoversOnlyTheSameExact", make({}, "/a", true), make({}, "/a", true), true, "a duplicate"},
      {"ExactDoesNotCoverPrefix", make({}, "/a", true), make({}, "/a"), false, "/a/b escapes"},
      {"PrefixCoversExactBelow", make({}, "/a"), make({}, "/a/b", true), true, "one path, covered"},
      {"AnyHostCoversHostList", make({}, "/"), make({"a.org"}, "/"), true, "any host"},
      {"HostListDoesNotCoverAnyHost", make({"a.org"}, "/"), make({}, "/"), false, "other hosts escape"},
      {"WildcardCoversNameBelowIt", make({"*.a.org"}, "/"), make({"x.a.org"}, "/"), true, "one label"},
      {"WildcardCoversNarrowerWildcard", make({"*.a.org"}, "/"), make({"*.b.a.org"}, "/"), true, "deeper"},
      {"WildcardCoversSameWildcard", make({"*.a.org"}, "/"), make({"*.A.org"}, "/"), true,
       "case-insensitive"},
      {"WildcardDoesNotCoverBareDomain", make({"*.a.org"}, "/"), make({"a.org"}, "/"), false,
       "needs a label"},
      {"NameDoesNotCoverWildcard", make({"x.a.org"}, "/"), make({"*.a.org"}, "/"), false, "y.a.org escapes"},
      {"EveryLaterHostMustBeCovered", make({"a.org"}, "/"), make({"a.org", "b.org"}, "/"), false,
       "b.org escapes"},
      {"AnyMethodCoversMethodList", make({}, "/"), make({}, "/", false, {"GET"}), true, "any method"},
      {"MethodListDoesNotCoverAnyMethod", make({}, "/", false, {"GET"}), make({}, "/"), false,
       "POST escapes"},
      {"MethodSupersetCovers", make({}, "/", false, {"GET", "POST"}), make({}, "/", false, {"POST"}), true,
       "subset"},
  };
}

class CoverTest : public ::testing::TestWithParam<CoverCase> {};
TEST_P(CoverTest, DecidesShadowing) {
  const auto& c = GetParam();
  EXPECT_EQ(match_covers(c.earlier, c.later), c.expected) << c.why;
}
INSTANTIATE_TEST_SUITE_P(Shadowing, CoverTest, ::testing::ValuesIn(cover_cases()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::config
