// The two Digest checks that read attacker-chosen text before any hash: the stateless nonce (a MAC
// over issue time, randomness and realm) and the `uri` against the request target (RFC 7616 §3.4.6).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schemes/digest/digest_nonce.hpp"
#include "schemes/digest/digest_uri.hpp"

namespace authgate::schemes::digest {
namespace {

using namespace std::chrono_literals;
const std::chrono::system_clock::time_point t0{1'800'000'000s};
const std::string secret(40, 'k');

TEST(DigestNonce, LivesItsLifetimeThenIsStaleAndIsNeverForged) {
  const NonceAuthority authority(secret, "realm", 300s);
  const std::string nonce = authority.issue(t0);
  ASSERT_EQ(nonce.size(), 43u);
  EXPECT_EQ(authority.check(nonce, t0).state, NonceState::fresh);
  EXPECT_EQ(authority.check(nonce, t0 + 299s).state, NonceState::fresh);
  EXPECT_EQ(authority.check(nonce, t0 + 300s).state, NonceState::stale);
  EXPECT_EQ(authority.check(nonce, t0 + 300s).expires, t0 + 300s);
  EXPECT_EQ(authority.check(nonce, t0 - 5s).state, NonceState::fresh) << "a clock a little behind";
  EXPECT_EQ(authority.check(nonce, t0 - 6s).state, NonceState::invalid) << "issued in the future: not ours";
  EXPECT_NE(authority.issue(t0), nonce) << "random bytes: two clients never share a nonce's counts";

  const NonceAuthority other_realm(secret, "realm2", 300s);
  const NonceAuthority other_secret(std::string(40, 'l'), "realm", 300s);
  EXPECT_EQ(other_realm.check(nonce, t0).state, NonceState::invalid);
  EXPECT_EQ(other_secret.check(nonce, t0).state, NonceState::invalid);
  EXPECT_NE(other_realm.opaque(), authority.opaque());
  EXPECT_EQ(NonceAuthority(secret, "realm", 60s).opaque(), authority.opaque()) << "opaque is per realm";
}

TEST(DigestNonce, AnyChangedCharacterOrShapeIsInvalid) {
  const NonceAuthority authority(secret, "realm", 300s);
  const std::string nonce = authority.issue(t0);
  for (std::size_t i = 0; i < nonce.size(); ++i) {
    std::string altered = nonce;
    altered[i] = altered[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(authority.check(altered, t0).state, NonceState::invalid) << i;
  }
  const std::vector<std::string> shapes = {"",
                                           nonce.substr(1),
                                           nonce + "A",
                                           std::string(43, '='),
                                           std::string(43, '\0'),
                                           nonce.substr(0, 42) + "+",
                                           std::string(4096, 'A')};
  for (const auto& shape : shapes) EXPECT_EQ(authority.check(shape, t0).state, NonceState::invalid);
}

TEST(DigestNonce, RefusesAShortSecret) {
  EXPECT_THROW(NonceAuthority(std::string(31, 'x'), "r", 300s), std::invalid_argument);
  EXPECT_THROW(NonceAuthority(secret, "r", 0s), std::invalid_argument);
}

struct UriCase {
  const char* uri;
  const char* target;
  bool match;
  const char* why;
};

TEST(DigestUri, NamesTheRequestTargetAsRfc7616Says) {
  const std::vector<UriCase> cases = {
      {"/dir/index.html", "/dir/index.html", true, "the same bytes"},
      {"/dir/index.html?a=1", "/dir/index.html?a=1", true, "with its query"},
      {"/dir/index.html", "/dir/index.html?a=1", false, "the query is part of the target"},
      {"/dir/index.html?", "/dir/index.html", false, "an empty query is still a query"},
      {"/dir/other.html", "/dir/index.html", false, "another resource"},
      {"/DIR/index.html", "/dir/index.html", false, "paths are case-sensitive"},
      {"/dir/%69ndex.html", "/dir/index.html", false, "compared as sent, not decoded"},
      {"http://www.example.org:8080/dir/index.html", "/dir/index.html", true,
       "absolute-form naming our origin"},
      {"http://WWW.EXAMPLE.ORG:8080/dir/index.html", "/dir/index.html", true, "hosts are case-insensitive"},
      {"HTTP://www.example.org:8080/dir/index.html", "/dir/index.html", true, "schemes too"},
      {"http://www.example.org/dir/index.html", "/dir/index.html", false, "port 80 is another origin"},
      {"https://www.example.org:8080/dir/index.html", "/dir/index.html", false, "https is another origin"},
      {"ftp://www.example.org:8080/dir/index.html", "/dir/index.html", false, "not even HTTP"},
      {"http://www.example.org:8080/dir/index.html?", "/dir/index.html", false, "an empty query is a query"},
      {"http://evil.example:8080/dir/index.html", "/dir/index.html", false, "another host"},
      {"/dir/index.html", "http://www.example.org/dir/index.html", true, "a proxy's absolute-form target"},
      {"http://www.example.org/dir/index.html", "http://www.example.org:80/dir/index.html", true,
       "both absolute: 80 is http's port whether written or not"},
      {"http://www.example.org:81/dir/index.html", "http://www.example.org/dir/index.html", false,
       "both absolute: ports must agree"},
      {"https://www.example.org/dir/index.html", "http://www.example.org/dir/index.html", false,
       "scheme differs"},
      {"//www.example.org/dir/index.html", "/dir/index.html", false,
       "a network-path reference is not a target"},
      {"/dir/index.html#top", "/dir/index.html", false, "no fragment in a request-target"},
      {"", "/dir/index.html", false, "empty"},
      {"*", "*", true, "OPTIONS *"},
      {"www.example.org:443", "www.example.org:443", true, "CONNECT authority-form"},
      {"/dir/index.html\r\nX: y", "/dir/index.html", false, "not a URI"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(uri_names_target(c.uri, c.target, "www.example.org:8080", false), c.match)
        << c.uri << " vs " << c.target << ": " << c.why;
  }
  // Without a port in Host the scheme's default applies; over TLS the scheme must be https.
  EXPECT_TRUE(uri_names_target("http://h.example/a", "/a", "h.example", false));
  EXPECT_FALSE(uri_names_target("http://h.example/a", "/a", "h.example", true));
  EXPECT_TRUE(uri_names_target("https://h.example/a", "/a", "h.example", true));
  EXPECT_TRUE(uri_names_target("https://h.example:443/a", "/a", "h.example:443", true));
  EXPECT_TRUE(uri_names_target("http://[::1]:8080/a", "/a", "[::1]:8080", false));
  EXPECT_FALSE(uri_names_target("http://[::1]/a", "/a", "[::1]:8080", false));
  EXPECT_FALSE(uri_names_target("http://h.example:99999/a", "/a", "h.example:99999", false));
}

}  // namespace
}  // namespace authgate::schemes::digest
