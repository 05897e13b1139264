// What the upstream sees: hop-by-hop fields gone, the client's identity headers gone, ours set,
// X-Forwarded-* and Via added; and what the client sees of the upstream's response.
#include "http/headers.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

std::vector<std::string> values(const Fields& fields, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& field : fields) {
    if (boost::beast::iequals(field.name_string(), name)) out.emplace_back(field.value());
  }
  return out;
}

RequestHead client_request() {
  RequestHead request;
  request.method(http::verb::get);
  request.target("/private/x?y=1");
  request.version(11);
  request.insert("Host", "app.example.com");
  return request;
}

struct Fixture : ::testing::Test {
  IdentityHeaders names;
  Identity alice{"alice", {"admins", "staff"}, "Basic", {}, {}};
  ForwardContext context() {
    ForwardContext c;
    c.client_address = "192.0.2.7";
    c.identity_names = &names;
    c.identity = &alice;
    c.target = "/base/private/x?y=1";
    return c;
  }
};

TEST_F(Fixture, HopByHopFieldsAndTheFieldsConnectionNamesAreRemoved) {
  auto request = client_request();
  request.insert("Connection", "keep-alive, X-Secret");
  request.insert("Connection", "x-other");
  request.insert("X-Secret", "1");
  request.insert("X-Other", "2");
  for (const char* name : {"Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade",
                           "Proxy-Authorization", "Proxy-Authenticate"}) {
    request.insert(name, "x");
  }
  request.insert("X-Kept", "3");
  prepare_upstream_request(request, context());
  for (const char* name :
       {"Connection", "X-Secret", "X-Other", "Keep-Alive", "Proxy-Connection", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Proxy-Authorization", "Proxy-Authenticate"}) {
    EXPECT_TRUE(values(request, name).empty()) << name << " must not reach the upstream (RFC 9110 §7.6.1)";
  }
  EXPECT_EQ(values(request, "X-Kept"), std::vector<std::string>{"3"});
}

TEST_F(Fixture, ConnectionCannotRemoveHost) {
  auto request = client_request();
  request.insert("Connection", "Host, Content-Length");
  prepare_upstream_request(request, context());
  EXPECT_EQ(values(request, "Host"), std::vector<std::string>{"app.example.com"});
}

TEST_F(Fixture, SpoofedIdentityHeadersInAnyCaseAreReplacedByOurs) {
  auto request = client_request();
  request.insert("X-Auth-User", "root");
  request.insert("x-auth-user", "root2");
  request.insert("X-AUTH-GROUPS", "admins");
  request.insert("x-Auth-Scheme", "Bearer");
  prepare_upstream_request(request, context());
  EXPECT_EQ(values(request, "X-Auth-User"), std::vector<std::string>{"alice"});
  EXPECT_EQ(values(request, "X-Auth-Groups"), std::vector<std::string>{"admins,staff"});
  EXPECT_EQ(values(request, "X-Auth-Scheme"), std::vector<std::string>{"Basic"});
}

TEST_F(Fixture, UnderscoreSpellingsOfIdentityHeadersAreRemovedToo) {
  // CGI/WSGI/PHP map both X-Auth-User and X_Auth_User to HTTP_X_AUTH_USER: the second would spoof us.
  auto request = client_request();
  request.insert("X_Auth_User", "root");
  request.insert("x-auth_groups", "admins");
  request.insert("X_AUTH-SCHEME", "Bearer");
  request.insert("X-Auth-Userx", "kept");
  prepare_upstream_request(request, context());
  EXPECT_TRUE(values(request, "X_Auth_User").empty());
  EXPECT_TRUE(values(request, "x-auth_groups").empty());
  EXPECT_TRUE(values(request, "X_AUTH-SCHEME").empty());
  EXPECT_EQ(values(request, "X-Auth-User"), std::vector<std::string>{"alice"});
  EXPECT_EQ(values(request, "X-Auth-Userx"), std::vector<std::string>{"kept"}) << "only exact lookalikes";
}

TEST_F(Fixture, AnonymousRequestsLoseSpoofedIdentityAndGetNone) {
  auto request = client_request();
  request.insert("X-Auth-User", "root");
  auto c = context();
  c.identity = nullptr;
  prepare_upstream_request(request, c);
  EXPECT_TRUE(values(request, "X-Auth-User").empty());
  EXPECT_TRUE(values(request, "X-Auth-Groups").empty());
  EXPECT_TRUE(values(request, "X-Auth-Scheme").empty());
}

TEST_F(Fixture, RenamedIdentityHeadersAreTheOnesStrippedAndSet) {
  names.user = "Remote-User";
  auto request = client_request();
  request.insert("remote-user", "root");
  prepare_upstream_request(request, context());
  EXPECT_EQ(values(request, "Remote-User"), std::vector<std::string>{"alice"});
}

TEST_F(Fixture, AuthorizationIsRemovedUnlessTheRoutePassesIt) {
  auto request = client_request();
  request.insert("Authorization", "Basic YWxpY2U6eA==");
  auto kept = request;
  prepare_upstream_request(request, context());
  EXPECT_TRUE(values(request, "Authorization").empty());
  auto c = context();
  c.pass_authorization = true;
  prepare_upstream_request(kept, c);
  EXPECT_EQ(values(kept, "Authorization"), std::vector<std::string>{"Basic YWxpY2U6eA=="});
}

TEST_F(Fixture, ForwardedFieldsAreAppendedOrSet) {
  auto request = client_request();
  request.insert("X-Forwarded-For", "10.0.0.1");
  request.insert("X-Forwarded-For", "10.0.0.2");
  request.insert("X-Forwarded-Proto", "https");
  request.insert("X-Forwarded-Host", "evil.example");
  request.insert("Via", "1.0 corp-proxy");
  prepare_upstream_request(request, context());
  EXPECT_EQ(values(request, "X-Forwarded-For"), std::vector<std::string>{"10.0.0.1, 10.0.0.2, 192.0.2.7"});
  EXPECT_EQ(values(request, "X-Forwarded-Proto"), std::vector<std::string>{"http"});
  EXPECT_EQ(values(request, "X-Forwarded-Host"), std::vector<std::string>{"app.example.com"});
  EXPECT_EQ(values(request, "Via"), std::vector<std::string>{"1.0 corp-proxy, 1.1 authgate"});
}

TEST_F(Fixture, TheClientsRequestIdInAnySpellingIsReplacedByOurs) {
  auto request = client_request();
  request.insert("X-Request-Id", "forged-1");
  request.insert("x-request-id", "forged-2");
  request.insert("X_Request_Id", "forged-3");
  auto c = context();
  c.request_id = "0123456789abcdef";
  prepare_upstream_request(request, c);
  EXPECT_EQ(values(request, "X-Request-Id"), std::vector<std::string>{"0123456789abcdef"});
  EXPECT_TRUE(values(request, "X_Request_Id").empty()) << "CGI would read it as HTTP_X_REQUEST_ID";
}

TEST_F(Fixture, ExpectAndEveryConnectionTokenGoWhateverTheirCase) {
  auto request = client_request();
  request.insert("Connection", "close, KEEP-ALIVE, Upgrade, te, X-Named");
  request.insert("Expect", "100-continue");
  request.insert("x-named", "1");
  request.insert("keep-alive", "timeout=5");
  request.insert("X-Kept", "2");
  prepare_upstream_request(request, context());
  for (const char* name : {"Connection", "Expect", "X-Named", "Keep-Alive"}) {
    EXPECT_TRUE(values(request, name).empty()) << name;
  }
  EXPECT_EQ(values(request, "X-Kept"), std::vector<std::string>{"2"});
}

// Issue 11 F8: frameworks read these as the proxy's word about the original request (Spring and Rails
// take Forwarded's first host and proto; Symfony and IIS route by X-Original-URL). No client speaks for
// the gateway, in any case or '_' spelling; Forwarded is the gateway's own, one element for this hop.
TEST_F(Fixture, TheClientCannotSpeakForTheProxy) {
  auto request = client_request();
  const char* spoofed[] = {
      "Forwarded",          "forwarded",          "X-Real-IP",          "X_Real_IP",
      "X-Forwarded-Port",   "X-Forwarded-Prefix", "X-Forwarded-Server", "X-Forwarded-Ssl",
      "X-Forwarded-Scheme", "X-Url-Scheme",       "Front-End-Https",    "X-Original-URL",
      "x_original_url",     "X-Rewrite-URL",      "X-Original-Host",    "X-Host",
      "X_Forwarded_For",    "X_Forwarded_Host",   "x_forwarded_proto"};
  for (const char* name : spoofed) request.insert(name, "for=1.2.3.4;host=evil;proto=https");
  prepare_upstream_request(request, context());
  for (const char* name : spoofed) {
    if (boost::beast::iequals(name, "Forwarded")) continue;
    EXPECT_TRUE(values(request, name).empty()) << name;
  }
  EXPECT_EQ(values(request, "Forwarded"),
            std::vector<std::string>{"for=\"192.0.2.7\";host=\"app.example.com\";proto=http"});
  EXPECT_EQ(values(request, "X-Forwarded-For"), std::vector<std::string>{"192.0.2.7"});
  EXPECT_EQ(values(request, "X-Forwarded-Host"), std::vector<std::string>{"app.example.com"});
}

TEST_F(Fixture, ForwardedBracketsAnIpv6ClientAndSaysHttpsOverTls) {
  auto request = client_request();
  auto c = context();
  c.client_address = "2001:db8::7";
  c.secure = true;
  prepare_upstream_request(request, c);
  EXPECT_EQ(values(request, "Forwarded"),
            std::vector<std::string>{"for=\"[2001:db8::7]\";host=\"app.example.com\";proto=https"});
}

TEST_F(Fixture, AHostlessHttp10RequestGetsTheUpstreamAuthorityAsHost) {
  RequestHead request;
  request.method(http::verb::get);
  request.version(10);
  request.target("/public");
  auto c = context();
  c.default_host = "127.0.0.1:3000";
  prepare_upstream_request(request, c);
  EXPECT_EQ(values(request, "Host"), std::vector<std::string>{"127.0.0.1:3000"});
  EXPECT_TRUE(values(request, "X-Forwarded-Host").empty()) << "the client named no host";
}

TEST_F(Fixture, TheTargetAndVersionAreOurs) {
  auto request = client_request();
  request.version(10);
  request.insert("Expect", "100-continue");
  prepare_upstream_request(request, context());
  EXPECT_EQ(request.target(), "/base/private/x?y=1");
  EXPECT_EQ(request.version(), 11u);
  EXPECT_TRUE(values(request, "Expect").empty()) << "the gateway answers Expect itself";
}

TEST_F(Fixture, AWebSocketUpgradeKeepsItsUpgradeFields) {
  auto request = client_request();
  request.insert("Connection", "keep-alive, Upgrade");
  request.insert("Upgrade", "websocket");
  request.insert("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  EXPECT_TRUE(is_websocket_upgrade(request));
  prepare_upstream_request(request, context());
  EXPECT_EQ(values(request, "Connection"), std::vector<std::string>{"Upgrade"});
  EXPECT_EQ(values(request, "Upgrade"), std::vector<std::string>{"websocket"});
  EXPECT_EQ(values(request, "Sec-WebSocket-Key").size(), 1u);
}

TEST_F(Fixture, OtherUpgradesAreNotTunnelled) {
  auto request = client_request();
  request.insert("Connection", "Upgrade, HTTP2-Settings");
  request.insert("Upgrade", "h2c");
  request.insert("HTTP2-Settings", "AAMAAABkAARAAAAAAAIAAAAA");
  EXPECT_FALSE(is_websocket_upgrade(request));
  prepare_upstream_request(request, context());
  EXPECT_TRUE(values(request, "Upgrade").empty());
  EXPECT_TRUE(values(request, "HTTP2-Settings").empty());
}

TEST(PrepareClientResponse, RemovesHopByHopButKeepsTheUpgradeOfA101) {
  ResponseHead ok;
  ok.result(http::status::ok);
  ok.insert("Connection", "close, X-Internal");
  ok.insert("X-Internal", "1");
  ok.insert("Keep-Alive", "timeout=5");
  ok.insert("Transfer-Encoding", "chunked");
  ok.insert("Set-Cookie", "a=b");
  prepare_client_response(ok);
  EXPECT_TRUE(values(ok, "Connection").empty());
  EXPECT_TRUE(values(ok, "X-Internal").empty());
  EXPECT_TRUE(values(ok, "Keep-Alive").empty());
  EXPECT_TRUE(values(ok, "Transfer-Encoding").empty());
  EXPECT_EQ(values(ok, "Set-Cookie").size(), 1u);

  ResponseHead switching;
  switching.result(http::status::switching_protocols);
  switching.insert("Connection", "Upgrade");
  switching.insert("Upgrade", "websocket");
  prepare_client_response(switching);
  EXPECT_EQ(values(switching, "Upgrade"), std::vector<std::string>{"websocket"});
  EXPECT_EQ(values(switching, "Connection"), std::vector<std::string>{"Upgrade"});
}

// Beast writes "<unknown-status>" for an empty reason of a status it has no name for.
TEST(PrepareClientResponse, NamesAnUnnamedStatusWithoutAReasonByItsClass) {
  const std::vector<std::pair<unsigned, std::string_view>> cases = {
      {103, "Early Hints"}, {199, "Informational"}, {299, "Success"},
      {399, "Redirection"}, {498, "Client Error"},  {598, "Server Error"}};
  for (const auto& [status, phrase] : cases) {
    ResponseHead response;
    response.result(status);
    prepare_client_response(response);
    EXPECT_EQ(response.reason(), phrase) << status;
  }
  ResponseHead named;
  named.result(299U);
  named.reason("Fine");
  prepare_client_response(named);
  EXPECT_EQ(named.reason(), "Fine");
  ResponseHead known;
  known.result(http::status::not_found);
  prepare_client_response(known);
  EXPECT_EQ(known.reason(), "Not Found");
}

}  // namespace
}  // namespace authgate::gateway
