// Path normalisation and request-target parsing: what routes match is what the upstream gets.
#include "http/request_target.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::gateway {
namespace {

struct PathCase {
  const char* name;
  std::string input;
  std::string expected;  // empty: refused with `error`
  TargetError error = TargetError::empty;
  const char* why;
};

class NormalizePath : public ::testing::TestWithParam<PathCase> {};

TEST_P(NormalizePath, GivesTheCanonicalPathOrTheReason) {
  const auto& c = GetParam();
  const auto result = normalize_path(c.input);
  if (c.expected.empty()) {
    ASSERT_FALSE(result.has_value()) << c.why;
    EXPECT_EQ(result.error(), c.error) << c.why;
  } else {
    ASSERT_TRUE(result.has_value()) << c.why << " (" << to_string(result.error()) << ")";
    EXPECT_EQ(*result, c.expected) << c.why;
  }
}

const PathCase path_cases[] = {
    {"root", "/", "/", {}, "the root stays the root"},
    {"plain", "/public/a.txt", "/public/a.txt", {}, "nothing to do"},
    {"trailing_slash", "/private/", "/private/", {}, "a trailing slash is kept"},
    {"dot_segment", "/a/./b", "/a/b", {}, "RFC 3986 §5.2.4"},
    {"dot_dot", "/public/../admin", "/admin", {}, "matched as /admin, not as /public"},
    {"dot_dot_above_root", "/../../admin", "/admin", {}, "cannot climb above the root"},
    {"dot_dot_at_end", "/a/b/..", "/a/", {}, "RFC 3986 §5.2.4 example"},
    {"dot_at_end", "/a/.", "/a/", {}, "RFC 3986 §5.2.4"},
    {"encoded_dots", "/public/%2e%2E/admin", "/admin", {}, "encoded dots are dots (unreserved)"},
    {"encoded_letters", "/%61dmin", "/admin", {}, "%61 is 'a': decoded before matching"},
    {"reserved_kept", "/a%3fb", "/a%3Fb", {}, "'?' stays encoded, hex upper-cased"},
    {"space_kept", "/a%20b", "/a%20b", {}, "space stays encoded"},
    {"double_slash", "//admin", "/admin", {}, "merged so a /admin route sees it"},
    {"many_slashes", "/a///b//", "/a/b/", {}, "runs of '/' merge"},
    {"utf8_raw", "/caf\xc3\xa9", "/caf\xc3\xa9", {}, "raw UTF-8 passes unchanged"},
    {"encoded_slash", "/admin%2Fsecret", "", TargetError::encoded_slash, "one segment for us, two upstream"},
    {"encoded_slash_lower", "/a%2fb", "", TargetError::encoded_slash, "hex case does not matter"},
    {"encoded_backslash", "/a%5Cb", "", TargetError::encoded_slash, "a separator on Windows upstreams"},
    {"encoded_nul", "/a%00b", "", TargetError::encoded_nul, "truncates paths in C"},
    {"raw_backslash", "/a\\..\\admin", "", TargetError::bad_char, "IIS treats it as '/'"},
    {"control_char", std::string{"/a\x01"}, "", TargetError::bad_char, "no controls in a URI"},
    {"bad_percent", "/a%zz", "", TargetError::bad_percent, "not two hex digits"},
    {"truncated_percent", "/a%4", "", TargetError::bad_percent, "escape cut short"},
    {"lone_percent", "/a%", "", TargetError::bad_percent, "escape cut short"},
    {"relative", "a/b", "", TargetError::not_origin_form, "origin-form starts with '/'"},
    {"encoded_semicolon", "/admin%3Bx", "", TargetError::ambiguous_escape, "a path parameter once decoded"},
    {"double_encoded_dots", "/public/%252e%252e/admin", "", TargetError::ambiguous_escape,
     "'..' to an upstream that decodes twice"},
    {"double_encoded_slash", "/a%252Fb", "", TargetError::ambiguous_escape, "'/' decoded twice"},
    {"literal_percent_kept", "/100%25off", "/100%25off", {}, "'%' not followed by hex is just a percent"},
    {"overlong_dot", "/public/%C0%AE%C0%AE/admin", "", TargetError::ambiguous_escape,
     "overlong UTF-8 '.': '..' to a lenient decoder"},
    {"overlong_slash", "/a%c0%afb", "", TargetError::ambiguous_escape, "overlong UTF-8 '/'"},
    {"overlong_three_bytes", "/a%E0%80%AEb", "", TargetError::ambiguous_escape, "overlong 3-byte '.'"},
    {"overlong_four_bytes", "/a%F0%80%80%AEb", "", TargetError::ambiguous_escape, "overlong 4-byte '.'"},
    {"utf8_encoded_kept", "/caf%C3%A9", "/caf%C3%A9", {}, "well-formed UTF-8 escapes pass"},
    {"latin1_byte_kept", "/caf%E9", "/caf%E9", {}, "a lone Latin-1 byte is no overlong form"},
    {"empty", "", "", TargetError::empty, "nothing"},
    // Around the shortcut for a path with no empty or dot-led segment (is_plain_path): each of these
    // has a '/' followed by '/' or '.', or only looks as if it did.
    {"dot_led_name",
     "/.well-known/openid-configuration",
     "/.well-known/openid-configuration",
     {},
     "a segment that starts with '.' but is no dot-segment is kept"},
    {"three_dots", "/a/.../b", "/a/.../b", {}, "'...' is a name"},
    {"dots_inside", "/a..b/c.d./e", "/a..b/c.d./e", {}, "dots not after '/' are never dot-segments"},
    {"dot_dot_name", "/a/..b", "/a/..b", {}, "'..b' is a name"},
    {"only_slashes", "//", "/", {}, "empty segments merge to the root"},
    {"encoded_dot_at_end", "/a/%2e", "/a/", {}, "a dot-segment once decoded"},
    {"encoded_dot_dot_after_plain", "/public/item/%2E%2e", "/public/", {}, "decoded, then resolved"},
    {"long_plain",
     "/a/rather/long/path/that/no/short/string/holds.html",
     "/a/rather/long/path/that/no/short/string/holds.html",
     {},
     "given back as it is"},
    {"long_with_dot_dot",
     "/a/rather/long/path/../that/no/short/string/holds.html",
     "/a/rather/long/that/no/short/string/holds.html",
     {},
     "a long path still resolves"},
    {"trailing_double_slash", "/a/b//", "/a/b/", {}, "the shortcut does not take a trailing '//'"},
};

INSTANTIATE_TEST_SUITE_P(Table, NormalizePath, ::testing::ValuesIn(path_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

TEST(ParseRequestTarget, SplitsTheQueryAndKeepsItByteForByte) {
  const auto t = parse_request_target("/a/../b?x=%2F&y=1");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/b");
  EXPECT_TRUE(t->has_query);
  EXPECT_EQ(t->query, "x=%2F&y=1");
  EXPECT_TRUE(t->authority.empty());
}

TEST(ParseRequestTarget, RemembersAnEmptyQuery) {
  const auto t = parse_request_target("/a?");
  ASSERT_TRUE(t.has_value());
  EXPECT_TRUE(t->has_query);
  EXPECT_EQ(t->query, "");
}

TEST(ParseRequestTarget, AcceptsAbsoluteFormAndTakesItsAuthority) {
  const auto t = parse_request_target("HTTP://Example.com:8080/x/./y?q");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->authority, "Example.com:8080");
  EXPECT_EQ(t->path, "/x/y");
  EXPECT_EQ(t->query, "q");
}

TEST(ParseRequestTarget, GivesAbsoluteFormWithoutPathTheRoot) {
  const auto t = parse_request_target("http://example.com");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "/");
}

TEST(ParseRequestTarget, RefusesUserinfoInAbsoluteForm) {
  const auto t = parse_request_target("http://admin@example.com/");
  ASSERT_FALSE(t.has_value());
  EXPECT_EQ(t.error(), TargetError::userinfo);
}

TEST(ParseRequestTarget, RefusesOtherSchemesAndAuthorityForm) {
  EXPECT_FALSE(parse_request_target("ftp://example.com/").has_value());
  EXPECT_FALSE(parse_request_target("example.com:443").has_value());
}

TEST(ParseRequestTarget, RefusesAFragment) {
  EXPECT_FALSE(parse_request_target("/a#frag").has_value());
  EXPECT_FALSE(parse_request_target("/a?b#frag").has_value());
}

TEST(ParseRequestTarget, KeepsTheAsteriskForm) {
  const auto t = parse_request_target("*");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->path, "*");
}

struct ParameterCase {
  const char* name;
  const char* target;
  const char* path;        // forwarded (nullptr: refused with dot_segment_parameter)
  const char* match_path;  // what routes match
};

class PathParameters : public ::testing::TestWithParam<ParameterCase> {};

// Issue 11 F3: servlet stacks (Tomcat, Jetty, Spring) route `/admin;x` as `/admin` and `/..;/` as
// `/../`. Routes match the path as they route it; the upstream still gets the parameters.
TEST_P(PathParameters, RoutesMatchThePathWithoutThemAndDotParametersAreRefused) {
  const auto& c = GetParam();
  const auto t = parse_request_target(c.target);
  if (c.path == nullptr) {
    ASSERT_FALSE(t.has_value()) << c.target;
    EXPECT_EQ(t.error(), TargetError::dot_segment_parameter);
    return;
  }
  ASSERT_TRUE(t.has_value()) << c.target << ": " << to_string(t.error());
  EXPECT_EQ(t->path, c.path);
  EXPECT_EQ(t->match_path(), c.match_path);
}

const ParameterCase parameter_cases[] = {
    {"none", "/admin/x", "/admin/x", "/admin/x"},
    {"on_the_last_segment", "/admin;x", "/admin;x", "/admin"},
    {"session_id_midway", "/admin;jsessionid=1/x", "/admin;jsessionid=1/x", "/admin/x"},
    {"empty_parameter", "/admin;/x", "/admin;/x", "/admin/x"},
    {"several", "/admin;a;b=c", "/admin;a;b=c", "/admin"},
    {"after_dot_dot", "/public/../admin;x", "/admin;x", "/admin"},
    {"encoded_letter", "/%61dmin;x", "/admin;x", "/admin"},
    {"only_a_parameter", "/;x/admin", "/;x/admin", "/admin"},
    {"with_query", "/admin;x?y=1", "/admin;x", "/admin"},
    {"dot_dot_parameter", "/public/..;/admin", nullptr, nullptr},
    {"dot_parameter", "/public/.;/admin", nullptr, nullptr},
    {"dot_dot_parameter_at_root", "/..;/admin", nullptr, nullptr},
    {"encoded_dot_dot_parameter", "/public/%2e%2e;/admin", nullptr, nullptr},
    {"dot_dot_named_parameter", "/public/..;x=1/admin", nullptr, nullptr},
    {"dot_dot_parameter_at_end", "/admin/..;", nullptr, nullptr},
    {"dots_in_a_name_pass", "/a/..x;y", "/a/..x;y", "/a/..x"},
};

INSTANTIATE_TEST_SUITE_P(Table, PathParameters, ::testing::ValuesIn(parameter_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

struct HostCase {
  const char* name;
  std::string_view input;
  const char* expected;  // nullptr: refused
};

class ParseHost : public ::testing::TestWithParam<HostCase> {};

TEST_P(ParseHost, LowerCasesAndDropsThePort) {
  const auto& c = GetParam();
  const auto result = parse_host(c.input);
  if (c.expected == nullptr) {
    EXPECT_FALSE(result.has_value()) << c.input;
  } else {
    ASSERT_TRUE(result.has_value()) << c.input;
    EXPECT_EQ(*result, c.expected);
  }
}

const HostCase host_cases[] = {
    {"name", "Example.COM", "example.com"},
    {"name_port", "example.com:8080", "example.com"},
    {"ipv4_port", "127.0.0.1:80", "127.0.0.1"},
    {"ipv6_port", "[::1]:8080", "[::1]"},
    {"ipv6", "[FE80::1]", "[fe80::1]"},
    {"empty_port", "example.com:", "example.com"},
    {"empty", "", nullptr},
    {"space", "exa mple.com", nullptr},
    {"slash", "example.com/evil", nullptr},
    {"userinfo", "user@example.com", nullptr},
    {"bad_port", "example.com:80a", nullptr},
    {"long_port", "example.com:123456", nullptr},
    {"unclosed_ipv6", "[::1", nullptr},
    {"junk_after_ipv6", "[::1]x", nullptr},
    // Issue 11 F7: one spelling per host, or a catch-all route serves what a host route protects.
    {"root_dot", "Secret.Example.org.", "secret.example.org"},
    {"root_dot_port", "secret.example.org.:8080", "secret.example.org"},
    {"underscore", "my_host.internal", "my_host.internal"},
    {"percent_dot", "secret%2eexample.org", nullptr},
    {"percent_letter", "%73ecret.example.org", nullptr},
    {"percent_ipv6_zone", "[fe80::1%25eth0]", nullptr},
    {"two_root_dots", "example.org..", nullptr},
    {"only_dot", ".", nullptr},
    {"leading_dot", ".example.org", nullptr},
    {"comma", "secret.example.org,evil", nullptr},
    {"semicolon", "a;b", nullptr},
    {"bang", "a!b", nullptr},
    {"tilde", "a~b", nullptr},
    {"quote", "a'b", nullptr},
    {"dollar", "a$b", nullptr},
    {"equals", "a=b", nullptr},
    {"plus", "a+b", nullptr},
    {"nul", std::string_view{"a\0b", 3}, nullptr},
    {"utf8", "ex\xc3\xa4mple.org", nullptr},
    {"del", "a\177b", nullptr},
    {"backslash", "a\\b", nullptr},
    {"double_quote", "a\"b", nullptr},
    {"every_letter", "ABCDEFGHIJKLMNOPQRSTUVWXYZ.abcdefghijklmnopqrstuvwxyz-0123456789_",
     "abcdefghijklmnopqrstuvwxyz.abcdefghijklmnopqrstuvwxyz-0123456789_"},
};

TEST(ParseHostBytes, AcceptsEachByteOfANameOnlyWhenItIsALetterDigitHyphenDotOrUnderscore) {
  // Every byte value inside a name: the table behind parse_host() against the rule written out.
  for (unsigned c = 0; c < 256; ++c) {
    const auto ch = static_cast<char>(c);
    if (ch == ':' || ch == '[') continue;  // a port separator / an IPv6 literal: other rules
    const bool allowed = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
                         ch == '-' || ch == '.' || ch == '_';
    std::string host = "a";
    host.push_back(ch);
    host.push_back('b');
    const auto result = parse_host(host);
    ASSERT_EQ(result.has_value(), allowed) << "byte " << c;
    if (allowed) {
      EXPECT_EQ(*result, std::string{"a"} + static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch) + "b");
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Table, ParseHost, ::testing::ValuesIn(host_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

}  // namespace
}  // namespace authgate::gateway
