// The Redis StateStore's url: redis://, rediss://, unix: and socket paths; errors never quote the password.
#include "net/redis_url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::net {
namespace {

struct UrlCase {
  const char* url;
  RedisEndpoint want;
  const char* why;
};

TEST(RedisUrl, ParsesEachForm) {
  const std::vector<UrlCase> cases = {
      {"redis://127.0.0.1", {"127.0.0.1", 6379}, "the default port"},
      {"redis://cache.internal:6380/2", {"cache.internal", 6380, "", 2}, "port and database"},
      {"redis://:p%40ss@h", {"h", 6379, "", 0, "", "p@ss"}, "a password alone, percent-decoded"},
      {"redis://gw:pw@h:1/0", {"h", 1, "", 0, "gw", "pw"}, "an ACL user (Redis 6)"},
      {"redis://[::1]:7000", {"::1", 7000}, "an IPv6 literal"},
      {"unix:/run/redis.sock?db=3", {"", 6379, "/run/redis.sock", 3}, "a unix socket url"},
      {"/run/redis.sock", {"", 6379, "/run/redis.sock"}, "a bare socket path"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.url);
    const auto got = parse_redis_url(c.url);
    ASSERT_TRUE(got.has_value()) << got.error();
    EXPECT_EQ(got->host, c.want.host) << c.why;
    EXPECT_EQ(got->port, c.want.port) << c.why;
    EXPECT_EQ(got->unix_path, c.want.unix_path) << c.why;
    EXPECT_EQ(got->db, c.want.db) << c.why;
    EXPECT_EQ(got->user, c.want.user) << c.why;
    EXPECT_EQ(got->password, c.want.password) << c.why;
  }
}

TEST(RedisUrl, RedissIsTheSameUrlOverTls) {
  const auto tls = parse_redis_url("rediss://gw:p%40ss@cache.internal/3");
  ASSERT_TRUE(tls.has_value()) << tls.error();
  EXPECT_TRUE(tls->tls.enabled);
  EXPECT_EQ(tls->host, "cache.internal");
  EXPECT_EQ(tls->port, 6379) << "the default port stays 6379 (Redis has no separate TLS port number)";
  EXPECT_EQ(tls->db, 3U);
  EXPECT_EQ(tls->user, "gw");
  EXPECT_EQ(tls->password, "p@ss");
  EXPECT_EQ(parse_redis_url("rediss://[::1]:6380")->port, 6380);
  EXPECT_FALSE(parse_redis_url("redis://h")->tls.enabled) << "redis:// is plain text";
  EXPECT_FALSE(parse_redis_url("unix:/run/redis.sock")->tls.enabled);
  EXPECT_TRUE(parse_redis_url("rediss://h")->tls.ca_file.empty()) << "the url turns TLS on, nothing more";
}

TEST(RedisUrl, RefusesWhatItCannotUse) {
  const std::vector<const char*> bad = {
      "rediss://:secret@h:0", "http://h",  "redis://:secret@h:0",    "redis://:secret@h:99999",
      "redis://:secret@h/x",  "redis://",  "redis://:secret@h?a=b",  "unix:relative.sock",
      "unix:/s?db=x",         "not a url", "rediss://:secret@h?a=b", "rediss://:secret@h/x"};
  for (const char* url : bad) {
    SCOPED_TRACE(url);
    const auto got = parse_redis_url(url);
    ASSERT_FALSE(got.has_value());
    EXPECT_EQ(got.error().find("secret"), std::string::npos) << "the error never quotes the password";
  }
  EXPECT_FALSE(parse_redis_url("/" + std::string(120, 's')).has_value()) << "longer than sun_path";
}

}  // namespace
}  // namespace authgate::net
