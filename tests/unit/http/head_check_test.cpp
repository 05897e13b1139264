// Request heads refused before any route is looked at.
#include "http/head_check.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

struct HeadCase {
  const char* name;
  unsigned version;
  const char* target;
  std::vector<std::pair<const char*, const char*>> fields;
  bool chunked;
  int expected_status;  // 0 = accepted
  const char* why;
  const char* method = "GET";
};

class CheckHead : public ::testing::TestWithParam<HeadCase> {};

TEST_P(CheckHead, RefusesWhatHttpForbids) {
  const auto& c = GetParam();
  RequestHead request;
  request.method_string(c.method);
  request.version(c.version);
  request.target(c.target);
  for (const auto& [name, value] : c.fields) request.insert(name, value);
  HeadLimits limits;
  limits.max_header_count = 4;
  limits.max_uri_bytes = 64;
  EXPECT_EQ(check_head(request, c.chunked, limits).status, c.expected_status) << c.why;
}

const HeadCase head_cases[] = {
    {"plain", 11, "/a", {{"Host", "x"}}, false, 0, "an ordinary request"},
    {"http10_without_host", 10, "/a", {}, false, 0, "HTTP/1.0 has no Host requirement"},
    {"http11_without_host", 11, "/a", {}, false, 400, "RFC 9112 §3.2: MUST respond 400"},
    {"two_hosts", 11, "/a", {{"Host", "a"}, {"Host", "b"}}, false, 400, "RFC 9112 §3.2: more than one Host"},
    {"bad_host", 11, "/a", {{"Host", "a b"}}, false, 400, "RFC 9110 §7.2: not a uri-host"},
    {"absolute_form_agrees", 11, "http://x/a", {{"Host", "X"}}, false, 0, "same authority"},
    {"absolute_form_without_host", 11, "http://x/a", {}, false, 0, "the target carries the host"},
    {"absolute_form_disagrees", 11, "http://x/a", {{"Host", "y"}}, false, 400, "two hosts, two answers"},
    {"too_many_fields",
     11,
     "/a",
     {{"Host", "x"}, {"A", "1"}, {"B", "2"}, {"C", "3"}, {"D", "4"}},
     false,
     431,
     "header count over the limit"},
    {"uri_too_long",
     11,
     "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
     {{"Host", "x"}},
     false,
     414,
     "RFC 9110 §15.5.15"},
    {"encoded_slash", 11, "/a%2Fb", {{"Host", "x"}}, false, 400, "ambiguous path"},
    {"te_not_chunked",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "gzip"}},
     false,
     400,
     "RFC 9112 §6.3: length unknown"},
    {"te_in_http10",
     10,
     "/a",
     {{"Transfer-Encoding", "chunked"}},
     true,
     400,
     "RFC 9112 §6.1: faulty framing"},
    {"te_chunked", 11, "/a", {{"Host", "x"}, {"Transfer-Encoding", "chunked"}}, true, 0, "normal streaming"},
    // Issue 11 F9: Transfer-Encoding must read as a clean list whose one coding is chunked.
    {"te_chunked_upper",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "CHUNKED"}},
     true,
     0,
     "case-insensitive"},
    {"te_empty_element",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", " , chunked"}},
     true,
     0,
     "RFC 9110 §5.6.1: empty list elements are skipped"},
    {"te_gzip_chunked",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "gzip, chunked"}},
     true,
     501,
     "a coding the relay cannot pass on: RFC 9112 §6.1 501"},
    {"te_split_lines",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "gzip"}, {"Transfer-Encoding", "chunked"}},
     true,
     501,
     "two lines are one list (RFC 9110 §5.3)"},
    {"te_chunked_twice",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "chunked, chunked"}},
     true,
     400,
     "RFC 9112 §6.1: chunked at most once"},
    {"te_chunked_then_gzip",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "chunked, gzip"}},
     false,
     400,
     "length unknown"},
    {"te_parameter",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "chunked;x=1"}},
     true,
     400,
     "chunked takes no parameters; another parser may differ"},
    {"te_quoted", 11, "/a", {{"Host", "x"}, {"Transfer-Encoding", "\"chunked\""}}, false, 400, "not a token"},
    {"te_folded_residue",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "chunked x"}},
     true,
     400,
     "what an unfolded continuation leaves behind"},
    {"te_identity",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", "identity"}},
     false,
     400,
     "no longer a coding"},
    {"te_empty",
     11,
     "/a",
     {{"Host", "x"}, {"Transfer-Encoding", ""}},
     false,
     400,
     "an empty list frames nothing"},
    {"te_only_commas", 11, "/a", {{"Host", "x"}, {"Transfer-Encoding", ", ,"}}, false, 400, "still empty"},
    {"percent_host", 11, "/a", {{"Host", "secret%2eexample.org"}}, false, 400, "issue 11 F7"},
    {"lower_case_method",
     11,
     "/a",
     {{"Host", "x"}},
     false,
     400,
     "upper-cased upstream, unjudged by routes",
     "post"},
    {"mixed_case_method", 11, "/a", {{"Host", "x"}}, false, 400, "Werkzeug reads it as DELETE", "DELete"},
    {"extension_method", 11, "/a", {{"Host", "x"}}, false, 0, "upper-case extension methods pass", "PURGE"},
    {"percent_authority", 11, "http://secret%2eexample.org/a", {}, false, 400, "issue 11 F7, absolute-form"},
    {"dot_dot_parameter", 11, "/public/..;/admin", {{"Host", "x"}}, false, 400, "issue 11 F3"},
    {"asterisk_get", 11, "*", {{"Host", "x"}}, false, 400, "'*' is only for OPTIONS"},
    {"http20", 20, "/a", {{"Host", "x"}}, false, 505, "not an HTTP/1 version"},
};

INSTANTIATE_TEST_SUITE_P(Table, CheckHead, ::testing::ValuesIn(head_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

TEST(CheckHeadResult, AbsoluteFormRewritesHostAndNormalisesThePath) {
  RequestHead request;
  request.method(http::verb::get);
  request.version(11);
  request.target("http://App.Example:8080/a/../b?q=1");
  const auto check = check_head(request, false, HeadLimits{});
  ASSERT_EQ(check.status, 0);
  EXPECT_EQ(request[http::field::host], "App.Example:8080");
  EXPECT_EQ(check.host, "app.example");
  EXPECT_EQ(check.target.path, "/b");
  EXPECT_EQ(check.target.query, "q=1");
}

class CheckConnectHead : public ::testing::TestWithParam<HeadCase> {};

TEST_P(CheckConnectHead, AcceptsOnlyAnAuthorityWithAPortAndNoBody) {
  const auto& c = GetParam();
  RequestHead request;
  request.method_string(c.method);
  request.version(c.version);
  request.target(c.target);
  for (const auto& [name, value] : c.fields) request.insert(name, value);
  HeadLimits limits;
  limits.max_header_count = 4;
  limits.max_uri_bytes = 64;
  EXPECT_EQ(check_connect_head(request, c.chunked, limits).status, c.expected_status) << c.why;
}

const HeadCase connect_cases[] = {
    {"host_port",
     11,
     "example.com:443",
     {{"Host", "example.com:443"}},
     false,
     0,
     "RFC 9110 §9.3.6",
     "CONNECT"},
    {"ipv4", 11, "127.0.0.1:8443", {}, false, 0, "an address literal", "CONNECT"},
    {"ipv6", 11, "[::1]:443", {}, false, 0, "an IPv6 literal in brackets", "CONNECT"},
    {"http10", 10, "example.com:443", {}, false, 0, "HTTP/1.0 clients CONNECT too", "CONNECT"},
    {"no_port", 11, "example.com", {}, false, 400, "the port is required", "CONNECT"},
    {"empty_port", 11, "example.com:", {}, false, 400, "", "CONNECT"},
    {"origin_form", 11, "/a", {}, false, 400, "not an authority", "CONNECT"},
    {"absolute_form", 11, "http://example.com:443/", {}, false, 400, "not an authority", "CONNECT"},
    {"userinfo", 11, "user@example.com:443", {}, false, 400, "RFC 9110 §4.2.4", "CONNECT"},
    {"short_numeric", 11, "127.1:443", {}, false, 400, "getaddrinfo would read it as 127.0.0.1", "CONNECT"},
    {"port_zero", 11, "example.com:0", {}, false, 400, "no such port", "CONNECT"},
    {"port_too_big", 11, "example.com:65536", {}, false, 400, "", "CONNECT"},
    {"content_length",
     11,
     "example.com:443",
     {{"Content-Length", "5"}},
     false,
     400,
     "a body would be read as the tunnel's first bytes",
     "CONNECT"},
    {"content_length_zero", 11, "example.com:443", {{"Content-Length", "0"}}, false, 0, "no body", "CONNECT"},
    {"chunked",
     11,
     "example.com:443",
     {{"Transfer-Encoding", "chunked"}},
     true,
     400,
     "no body either",
     "CONNECT"},
    {"lower_case_method", 11, "example.com:443", {}, false, 400, "methods are case-sensitive", "connect"},
    {"http20", 20, "example.com:443", {}, false, 505, "not an HTTP/1 version", "CONNECT"},
    {"too_long",
     11,
     "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.com:443",
     {},
     false,
     414,
     "the target limit applies",
     "CONNECT"},
};

INSTANTIATE_TEST_SUITE_P(Table, CheckConnectHead, ::testing::ValuesIn(connect_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

TEST(CheckConnectHeadResult, KeepsTheAuthorityAndItsHost) {
  RequestHead request;
  request.method(http::verb::connect);
  request.version(11);
  request.target("Example.COM:8443");
  const auto check = check_connect_head(request, false, HeadLimits{});
  ASSERT_EQ(check.status, 0);
  EXPECT_EQ(check.target.authority, "Example.COM:8443");
  EXPECT_EQ(check.host, "example.com");
}

}  // namespace
}  // namespace authgate::gateway
