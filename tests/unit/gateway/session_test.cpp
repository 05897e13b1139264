// The session and the proxy on loopback sockets: local replies, limits, timeouts, pipelining, what the
// upstream receives, and upstream failures.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <thread>

#include "session_harness.hpp"

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::body_of;
using testing::Client;
using testing::field_of;
using testing::status_of;
using testing::TestGateway;

constexpr const char* alice = "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n";  // alice:wonderland
constexpr const char* bob = "Authorization: Basic Ym9iOmJ1aWxkZXI=\r\n";            // bob:builder

std::string get(const std::string& path, const std::string& extra = "") {
  return "GET " + path + " HTTP/1.1\r\nHost: gw.test\r\n" + extra + "\r\n";
}

/// The headers the echo upstream received, as (name, value) pairs in order.
std::vector<std::pair<std::string, std::string>> echoed_headers(const std::string& response) {
  std::vector<std::pair<std::string, std::string>> out;
  const auto json = boost::json::parse(body_of(response));
  for (const auto& pair : json.at("headers").as_array()) {
    out.emplace_back(pair.as_array()[0].as_string().c_str(), pair.as_array()[1].as_string().c_str());
  }
  return out;
}

std::vector<std::string> echoed(const std::string& response, std::string_view name) {
  std::vector<std::string> values;
  for (const auto& [n, v] : echoed_headers(response)) {
    if (grammar::iequals(n, name)) values.push_back(v);
  }
  return values;
}

TEST(Session, NoCredentialsGetA401WithTheChallengeAndAShortBody) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/private/x"));
  const auto response = client.read_response();
  // The Date line varies: check its shape, then the exact bytes around it.
  const auto date_start = response.find("Date: ");
  const auto date_end = response.find("\r\n", date_start);
  ASSERT_NE(date_start, std::string::npos) << response;
  EXPECT_EQ(date_end - date_start, std::string_view{"Date: Sun, 06 Nov 1994 08:49:37 GMT"}.size());
  EXPECT_EQ(response.substr(0, date_start) + response.substr(date_end + 2),
            "HTTP/1.1 401 Unauthorized\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "WWW-Authenticate: Basic realm=\"staff area\", charset=\"UTF-8\"\r\n"
            "Content-Length: 17\r\n"
            "\r\n"
            "401 Unauthorized\n");
  EXPECT_EQ(date_start, std::string_view{"HTTP/1.1 401 Unauthorized\r\n"}.size()) << "Date comes first";
  client.send(get("/private/x"));
  EXPECT_EQ(status_of(client.read_response()), 401) << "the connection stays open after a 401";
}

TEST(Session, GoodCredentialsReachTheUpstreamWithOurIdentityOnly) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/admin/x?q=1", std::string{alice} +
                                      "X-Auth-User: root\r\nx-auth-groups: root\r\nConnection: X-Hop\r\n"
                                      "X-Hop: 1\r\nProxy-Authorization: Basic eDp5\r\n"));
  const auto response = client.read_response();
  ASSERT_EQ(status_of(response), 200) << response;
  EXPECT_EQ(echoed(response, "X-Auth-User"), std::vector<std::string>{"alice"});
  EXPECT_EQ(echoed(response, "X-Auth-Groups"), std::vector<std::string>{"admins"});
  EXPECT_EQ(echoed(response, "X-Auth-Scheme"), std::vector<std::string>{"Basic"});
  EXPECT_TRUE(echoed(response, "Authorization").empty());
  EXPECT_TRUE(echoed(response, "X-Hop").empty());
  EXPECT_TRUE(echoed(response, "Proxy-Authorization").empty());
  EXPECT_EQ(echoed(response, "Via"), std::vector<std::string>{"1.1 authgate"});
  EXPECT_EQ(echoed(response, "X-Forwarded-For"), std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(echoed(response, "X-Forwarded-Host"), std::vector<std::string>{"gw.test"});
  EXPECT_EQ(echoed(response, "Host"), std::vector<std::string>{"gw.test"});
  const auto json = boost::json::parse(body_of(response));
  EXPECT_EQ(json.at("target").as_string(), "/admin/x?q=1");
}

TEST(Session, AnAuthenticatedUserOutsideTheGroupGets403) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/admin", bob));
  const auto response = client.read_response();
  EXPECT_EQ(status_of(response), 403);
  EXPECT_EQ(field_of(response, "WWW-Authenticate"), "");
  EXPECT_EQ(body_of(response), "403 Forbidden\n");
}

TEST(Session, WrongPasswordAndUnknownUserAre401AndNeverCached) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/private", "Authorization: Basic YWxpY2U6eA==\r\n"));  // alice:x
  EXPECT_EQ(status_of(client.read_response()), 401);
  client.send(get("/private", "Authorization: Basic bWFsbG9yeTp4\r\n"));  // mallory:x
  EXPECT_EQ(status_of(client.read_response()), 401);
  const auto records = gateway.records(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].reason, Reason::wrong_password);
  EXPECT_EQ(records[1].reason, Reason::unknown_user);
}

TEST(Session, TheSecondRequestIsServedFromTheVerifyCache) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/private", alice));
  EXPECT_EQ(status_of(client.read_response()), 200);
  client.send(get("/private", alice));
  EXPECT_EQ(status_of(client.read_response()), 200);
  const auto records = gateway.records(2);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_FALSE(records[0].cache_hit);
  EXPECT_TRUE(records[1].cache_hit);
  EXPECT_EQ(records[1].user, "alice");
  EXPECT_EQ(records[1].route, "private");
  EXPECT_EQ(gateway.authenticator().scheme_calls(), 1u);
}

struct StatusCase {
  const char* name;
  std::string request;
  int status;
  bool closes;
  const char* why;
};

class LocalStatus : public ::testing::TestWithParam<StatusCase> {};

TEST_P(LocalStatus, AnswersWithoutTheUpstream) {
  const auto& c = GetParam();
  TestGateway gateway{[](config::Config& config) {
    config.limits.max_header_bytes = 2048;
    config.limits.max_uri_bytes = 512;
    config.limits.max_header_count = 20;
  }};
  Client client{gateway.port()};
  client.send(c.request);
  const bool head = c.request.rfind("HEAD", 0) == 0;
  const auto response = client.read_response(head);
  EXPECT_EQ(status_of(response), c.status) << c.why << "\n" << response;
  if (c.closes) {
    EXPECT_TRUE(client.closed_within(2s)) << c.why;
  }
}

const StatusCase status_cases[] = {
    {"two_authorization_fields", get("/private", std::string{alice} + alice), 400, false,
     "RFC 9110 §11.6.2: one credentials; refuse rather than pick"},
    {"bad_base64", get("/private", "Authorization: Basic !!!!\r\n"), 400, false,
     "RFC 7617: token68 is base64"},
    {"no_colon", get("/private", "Authorization: Basic YWxpY2U=\r\n"), 400, false,
     "RFC 7617 §2: user-pass has ':'"},
    {"basic_without_token", get("/private", "Authorization: Basic\r\n"), 400, false, "nothing to verify"},
    {"lower_case_scheme", get("/private", "Authorization: basic YWxpY2U6d29uZGVybGFuZA==\r\n"), 200, false,
     "RFC 9110 §11.1: schemes are case-insensitive"},
    {"other_scheme", get("/private", "Authorization: Bearer abc\r\n"), 401, false,
     "a scheme the route does not accept gets the challenges"},
    {"unmatched", get("/nowhere"), 404, false, "server.unmatched defaults to 404"},
    {"head_401", "HEAD /private HTTP/1.1\r\nHost: x\r\n\r\n", 401, false, "HEAD: same status, no body"},
    {"dot_segments", get("/public/../private"), 401, false, "matched after normalisation"},
    {"encoded_dots", get("/public/%2e%2e/private"), 401, false, "decoded unreserved dots are dots"},
    {"encoded_slash", get("/public%2F..%2Fprivate"), 400, true, "ambiguous path"},
    {"no_host", "GET /public HTTP/1.1\r\n\r\n", 400, true, "RFC 9112 §3.2"},
    {"two_hosts", "GET /public HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, true, "RFC 9112 §3.2"},
    {"garbage", "HELLO\r\n\r\n", 400, true, "not HTTP"},
    {"cl_and_te",
     "POST /public HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400, true,
     "smuggling shape (RFC 9112 §6.3)"},
    {"te_gzip", "POST /public HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 400, true,
     "length unknown (RFC 9112 §6.3)"},
    {"header_too_large", get("/public", "X-Big: " + std::string(4096, 'a') + "\r\n"), 431, true,
     "over max_header_bytes"},
    {"too_many_fields",
     get("/public",
         [] {
           std::string fields;
           for (int i = 0; i < 25; ++i) fields += "X-F" + std::to_string(i) + ": 1\r\n";
           return fields;
         }()),
     431, true, "over max_header_count"},
    {"uri_too_long_within_head_limit", get("/public/" + std::string(1000, 'a')), 414, true,
     "over max_uri_bytes"},
    {"uri_beyond_head_limit", get("/public/" + std::string(4096, 'a')), 414, true,
     "the request line alone exceeds the head limit: still a URI problem"},
    {"bad_chunk_size",
     "POST /public HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400,
     true, "a broken first chunk is caught before the upstream is contacted"},
    {"field_beyond_head_limit", get("/public", "X-Big: " + std::string(8192, 'a') + "\r\n"), 431, true,
     "a request line that fit, a field that did not: 431, not 414"},
    {"body_over_route_limit", "POST /limited HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n01234567890",
     413, true, "route max_body_bytes 10"},
};

INSTANTIATE_TEST_SUITE_P(Table, LocalStatus, ::testing::ValuesIn(status_cases),
                         [](const auto& test) { return std::string{test.param.name}; });

TEST(Session, HeadGetsTheHeadersOfA401WithoutItsBody) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("HEAD /private HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto response = client.read_response(true);
  EXPECT_EQ(field_of(response, "Content-Length"), "17");
  EXPECT_EQ(body_of(response), "");
  client.send(get("/public"));
  EXPECT_EQ(status_of(client.read_response()), 200) << "no stray body bytes on the connection";
}

TEST(Session, PipelinedRequestsAreAnsweredInOrder) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/public/1") + get("/private/2") + get("/public/3", alice) + get("/private/4", alice));
  const auto r1 = client.read_response();
  const auto r2 = client.read_response();
  const auto r3 = client.read_response();
  const auto r4 = client.read_response();
  EXPECT_EQ(status_of(r1), 200);
  EXPECT_EQ(boost::json::parse(body_of(r1)).at("path").as_string(), "/public/1");
  EXPECT_EQ(status_of(r2), 401);
  EXPECT_EQ(status_of(r3), 200);
  EXPECT_EQ(boost::json::parse(body_of(r3)).at("path").as_string(), "/public/3");
  EXPECT_EQ(status_of(r4), 200);
  EXPECT_EQ(boost::json::parse(body_of(r4)).at("path").as_string(), "/private/4");
}

TEST(Session, A401WithASmallUnreadBodyKeepsTheConnection) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("POST /private HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello" + get("/public"));
  EXPECT_EQ(status_of(client.read_response()), 401);
  EXPECT_EQ(status_of(client.read_response()), 200) << "the body was drained, the next request parsed";
}

TEST(Session, ExpectContinueIsNotAnsweredBeforeAuthentication) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("POST /private HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  const auto response = client.read_response();
  EXPECT_EQ(status_of(response), 401) << "no 100 Continue for an unauthenticated request";
  EXPECT_EQ(field_of(response, "Connection"), "close");
  EXPECT_TRUE(client.closed_within(3s));
}

TEST(Session, ExpectContinueGetsA100OnceAuthenticated) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("POST /private HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n" +
              std::string{alice} + "\r\n");
  EXPECT_EQ(status_of(client.read_response()), 100);
  client.send("hello");
  const auto response = client.read_response();
  ASSERT_EQ(status_of(response), 200) << response;
  EXPECT_EQ(boost::json::parse(body_of(response)).at("body_bytes").as_int64(), 5);
  EXPECT_TRUE(echoed(response, "Expect").empty());
}

TEST(Session, ChunkedBodiesAreStreamedThrough) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(
      "POST /public HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
  const auto response = client.read_response();
  ASSERT_EQ(status_of(response), 200) << response;
  EXPECT_EQ(boost::json::parse(body_of(response)).at("body_bytes").as_int64(), 11);
  EXPECT_EQ(echoed(response, "Transfer-Encoding"), std::vector<std::string>{"chunked"});
}

TEST(Session, ChunkedBodiesOverTheRouteLimitGet413) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(
      "POST /limited HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "8\r\n01234567\r\n8\r\n01234567\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(client.read_response()), 413);
}

TEST(Session, UpstreamRefusedIs502AndTheConnectionSurvives) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/down"));
  const auto response = client.read_response();
  EXPECT_EQ(status_of(response), 502);
  EXPECT_EQ(body_of(response), "502 Bad Gateway\n");
  client.send(get("/public"));
  EXPECT_EQ(status_of(client.read_response()), 200);
}

TEST(Session, UpstreamSilentIs504AfterTheResponseTimeout) {
  TestGateway gateway;
  Client client{gateway.port()};
  const auto start = std::chrono::steady_clock::now();
  client.send(get("/slow"));
  EXPECT_EQ(status_of(client.read_response()), 504);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  client.send(get("/public"));
  EXPECT_EQ(status_of(client.read_response()), 200);
}

TEST(Session, AnIncompleteHeadTimesOutWith408) {
  TestGateway gateway{[](config::Config& c) { c.limits.header_timeout = 300ms; }};
  Client client{gateway.port()};
  client.send("GET /public HTTP/1.1\r\nHost: x\r\n");
  const auto response = client.read_response();
  EXPECT_EQ(status_of(response), 408);
  EXPECT_TRUE(client.closed_within(3s));
}

TEST(Session, AnIdleKeepAliveConnectionIsClosedQuietly) {
  TestGateway gateway{[](config::Config& c) { c.limits.idle_timeout = 300ms; }};
  Client client{gateway.port()};
  client.send(get("/public"));
  EXPECT_EQ(status_of(client.read_response()), 200);
  EXPECT_EQ(client.read_to_close(3s), "") << "closed without a response";
}

TEST(Session, Http10GetsKeepAliveOnlyWhenAskedFor) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("GET /public HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  const auto kept = client.read_response();
  EXPECT_EQ(status_of(kept), 200);
  EXPECT_EQ(field_of(kept, "Connection"), "keep-alive");
  client.send("GET /public HTTP/1.0\r\n\r\n");
  const auto closed = client.read_response();
  EXPECT_EQ(status_of(closed), 200);
  EXPECT_TRUE(client.closed_within(2s));
}

TEST(Session, AnHttp10RequestWithoutHostStillNamesAHostUpstream) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send("GET /public HTTP/1.0\r\n\r\n");
  const auto response = client.read_response();
  ASSERT_EQ(status_of(response), 200);
  const auto host = echoed(response, "Host");
  ASSERT_EQ(host.size(), 1u) << "RFC 9112 §3.2: HTTP/1.1 upstreams require Host";
  EXPECT_EQ(host[0].rfind("127.0.0.1:", 0), 0u) << host[0];
  EXPECT_TRUE(echoed(response, "X-Forwarded-Host").empty());
}

TEST(Session, ConnectionCloseIsHonoured) {
  TestGateway gateway;
  Client client{gateway.port()};
  client.send(get("/private", "Connection: close\r\n"));
  const auto response = client.read_response();
  EXPECT_EQ(status_of(response), 401);
  EXPECT_EQ(field_of(response, "Connection"), "close");
  EXPECT_TRUE(client.closed_within(2s));
}

}  // namespace
}  // namespace authgate::gateway
