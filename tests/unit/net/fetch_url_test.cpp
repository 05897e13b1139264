// Which URLs the gateway fetches from, and how they are split.
#include <gtest/gtest.h>

#include "net/fetch_url.hpp"

namespace authgate::net {
namespace {

struct UrlCase {
  const char* name;
  const char* url;
  bool ok;
  const char* host;
  int port;
  const char* target;
  const char* authority;
};

const UrlCase url_cases[] = {
    {"HttpsWithPathAndQuery", "https://idp.example/keys?v=2", true, "idp.example", 443, "/keys?v=2",
     "idp.example"},
    {"HttpsUpperCaseHost", "HTTPS://IdP.Example:8443", true, "idp.example", 8443, "/", "idp.example:8443"},
    {"HttpToLoopbackIp", "http://127.0.0.1:9000/jwks", true, "127.0.0.1", 9000, "/jwks", "127.0.0.1:9000"},
    {"HttpToLocalhost", "http://localhost/jwks", true, "localhost", 80, "/jwks", "localhost"},
    {"HttpToIpv6Loopback", "http://[::1]:81/", true, "::1", 81, "/", "[::1]:81"},
    {"HttpToAnotherHostIsRefused", "http://idp.example/jwks", false, "", 0, "", ""},
    {"HttpToPrivateAddressIsRefused", "http://10.0.0.1/jwks", false, "", 0, "", ""},
    {"UserinfoIsRefused", "https://user:pw@idp.example/", false, "", 0, "", ""},
    {"FragmentIsRefused", "https://idp.example/#x", false, "", 0, "", ""},
    {"OtherSchemeIsRefused", "ftp://idp.example/", false, "", 0, "", ""},
    {"RelativeIsRefused", "/jwks", false, "", 0, "", ""},
    {"PortZeroIsRefused", "https://idp.example:0/", false, "", 0, "", ""},
    {"SpaceIsRefused", "https://idp.example/a b", false, "", 0, "", ""},
    {"LineBreakIsRefused", "https://idp.example/\r\nX: y", false, "", 0, "", ""},
    {"EmptyHostIsRefused", "https:///jwks", false, "", 0, "", ""},
};

class FetchUrlTable : public testing::TestWithParam<UrlCase> {};

TEST_P(FetchUrlTable, ParsesOrRefuses) {
  const auto& c = GetParam();
  const auto url = parse_fetch_url(c.url);
  ASSERT_EQ(url.has_value(), c.ok) << c.url;
  if (!c.ok) {
    EXPECT_FALSE(url.error().empty());
    return;
  }
  EXPECT_EQ(url->host, c.host);
  EXPECT_EQ(url->port, c.port);
  EXPECT_EQ(url->target, c.target);
  EXPECT_EQ(url->authority, c.authority);
}

INSTANTIATE_TEST_SUITE_P(Urls, FetchUrlTable, testing::ValuesIn(url_cases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(FetchUrl, LoopbackHosts) {
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.255.0.9"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_TRUE(is_loopback_host("::ffff:127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("LocalHost"));
  EXPECT_FALSE(is_loopback_host("128.0.0.1"));
  EXPECT_FALSE(is_loopback_host("localhost.example"));
  EXPECT_FALSE(is_loopback_host(""));
}

}  // namespace
}  // namespace authgate::net
