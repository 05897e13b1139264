// validate(): listeners, admin, upstream URLs and TLS, limits, identity headers, access log.
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

std::string listener(const std::string& flow) { return edit("  - port: 8080\n", "  - " + flow + "\n"); }
std::string upstream(const std::string& flow) {
  return edit("  app: {url: \"http://127.0.0.1:3000\"}", "  app: " + flow);
}
std::string url(const std::string& value) { return upstream("{url: \"" + value + "\"}"); }

std::vector<Case> listener_cases() {
  return {
      {"DuplicatePortIsAnError", edit("  - port: 8080\n", "  - port: 8080\n  - {name: b, port: 8080}\n"), E,
       "listeners[1].port: port 8080 is already used by listeners[0]", "8080}", "one socket per port"},
      {"AdminOnAListenerPortIsAnError", std::string(testing::base_yaml) + "admin: {port: 8080}\n", E,
       "admin.port: port 8080 is already used by listeners[0]", "8080}", "admin needs its own port"},
      {"DuplicateListenerNameIsAnError",
       edit("  - port: 8080\n", "  - {name: a, port: 1}\n  - {name: a, port: 2}\n"), E,
       "duplicate listener name 'a'", "a, port: 2", "names identify listeners in logs"},
      {"HostNameIsNotAListenAddress", listener("{port: 8080, address: example.com}"), E,
       "expected an IP address or 'localhost', got 'example.com'", "example.com", "bind to an address"},
      {"BasicOnAPublicPlainListenerIsAWarning", listener("{port: 8080, address: 0.0.0.0}"), W,
       "passwords cross the network in clear text", "{port: 8080, address: 0.0.0.0}", "RFC 7617 §4"},
      {"MissingCertificateIsAnError", listener("{port: 8080, tls: {cert: nocert.pem, key: server.key}}"), E,
       "listeners[0].tls.cert: cannot read", "nocert.pem", "TLS files are checked at load"},
      {"MissingKeyIsAnError", listener("{port: 8080, tls: {cert: server.crt, key: nokey.pem}}"), E,
       "listeners[0].tls.key: cannot read", "nokey.pem", "TLS files are checked at load"},
      {"TlsNeedsACertificate", listener("{port: 8080, tls: {key: server.key}}"), E,
       "missing required key 'cert'", "{key", "a key alone is no TLS"},
      {"OldTlsVersionIsRefused",
       listener("{port: 8080, tls: {cert: server.crt, key: server.key, min_version: \"1.1\"}}"), E,
       "expected \"1.2\" or \"1.3\"", "\"1.1\"", "TLS 1.1 is deprecated (RFC 8996)"},
      {"PublicAdminIsAWarning", std::string(testing::base_yaml) + "admin: {address: 0.0.0.0, port: 9090}\n",
       W, "/metrics and /healthz are reachable from the network", "0.0.0.0", "metrics leak route names"},
      {"UnmatchedMustBe404Or403", std::string(testing::base_yaml) + "server: {unmatched: 500}\n", E,
       "server.unmatched: expected 404 or 403, got '500'", "500", "only two sensible answers"},
      {"UriLimitAboveHeadLimitIsAnError",
       std::string(testing::base_yaml) + "limits: {max_header_bytes: 8KiB, max_uri_bytes: 16KiB}\n", E,
       "must not exceed limits.max_header_bytes", "16KiB", "the URI is part of the head"},
      {"IdentityHeaderMustBeAToken",
       std::string(testing::base_yaml) + "identity_headers: {user: \"X User\"}\n", E,
       "identity_headers.user: expected a header field name", "\"X User\"", "RFC 9110 §5.1"},
      {"IdentityHeaderMustNotBeAuthorization",
       std::string(testing::base_yaml) + "identity_headers: {user: Authorization}\n", E,
       "'Authorization' is a field HTTP itself uses", "Authorization}", "would clobber the credentials"},
      {"IdentityHeadersMustDiffer",
       std::string(testing::base_yaml) + "identity_headers: {groups: x-auth-user}\n", E,
       "identity_headers.groups: same header as identity_headers.user", "x-auth-user",
       "field names are case-insensitive"},
      {"AccessLogDirectoryMustExist",
       std::string(testing::base_yaml) + "access_log: {path: /nonexistent/dir/a.log}\n", E,
       "directory '/nonexistent/dir' does not exist", "/nonexistent",
       "fail at load, not at the first request"},
  };
}

std::vector<Case> upstream_cases() {
  return {
      {"FtpUpstreamIsRefused", url("ftp://127.0.0.1/"), E, "the scheme must be http or https", "\"ftp",
       "HTTP only"},
      {"UserinfoInUpstreamIsRefused", url("http://user:pw@127.0.0.1/"), E, "credentials (user@)", "\"http",
       "no secrets in URLs"},
      {"QueryInUpstreamIsRefused", url("http://127.0.0.1/?a=1"), E, "no query or fragment", "\"http",
       "a base path only"},
      {"FragmentInUpstreamIsRefused", url("http://127.0.0.1/#x"), E, "no query or fragment", "\"http",
       "never sent"},
      {"PortZeroIsRefused", url("http://127.0.0.1:0"), E, "expected a port from 1 to 65535", "\"http",
       "no port 0"},
      {"PortAbove65535IsRefused", url("http://127.0.0.1:65536"), E, "expected a port from 1 to 65535",
       "\"http", "not a port"},
      {"RelativeUpstreamIsRefused", url("/backend"), E, "not an absolute URL", "\"/backend",
       "needs scheme and host"},
      {"EmptyHostIsRefused", url("http:///x"), E, "the URL has no host", "\"http", "where to connect?"},
      {"BadHostNameIsRefused", url("http://-bad-.example/"), E, "not a valid DNS name", "\"http",
       "not a host name"},
      {"HttpsCaFileMustExist", upstream("{url: \"https://app.internal\", tls: {ca: noca.pem}}"), E,
       "upstreams.app.tls.ca: cannot read", "noca.pem", "checked at load"},
      {"ServerNameMustBeADnsName", upstream("{url: \"https://10.0.0.1\", tls: {server_name: \"a b\"}}"), E,
       "expected a DNS name, got 'a b'", "\"a b\"", "SNI is a host name"},
      {"VerifyOffIsAWarning", upstream("{url: \"https://app.internal\", tls: {verify: false}}"), W,
       "certificate verification is off", "false", "an impersonation risk"},
      {"TlsOnHttpUpstreamIsAWarning", upstream("{url: \"http://app.internal\", tls: {ca: ca.pem}}"), W,
       "tls settings have no effect on an http:// upstream", "{ca", "probably meant https"},
  };
}

class ValidateListenersTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateListenersTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Network, ValidateListenersTest, ::testing::ValuesIn(listener_cases()),
                         [](const auto& p) { return p.param.name; });

class ValidateUpstreamsTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateUpstreamsTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Upstreams, ValidateUpstreamsTest, ::testing::ValuesIn(upstream_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(ValidateNetworkTest, BasicOverTlsOnAPublicAddressIsFine) {
  const Problems problems = testing::validate_text(
      listener("{port: 8443, address: 0.0.0.0, tls: {cert: server.crt, key: server.key}}"));
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

TEST(ValidateNetworkTest, BracketedIpv6ListenAddressIsUnbracketed) {
  auto config =
      load_yaml_string(listener("{port: 8080, address: \"[::1]\"}"), testing::data_dir() + "/v6.yaml");
  ASSERT_TRUE(config.has_value());
  const Problems problems = validate(*config);
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
  EXPECT_EQ(config->listeners[0].address, "::1");
}

TEST(ValidateNetworkTest, TheBaseConfigIsClean) {
  const Problems problems = testing::validate_text(testing::base_yaml);
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

}  // namespace
}  // namespace authgate::config
