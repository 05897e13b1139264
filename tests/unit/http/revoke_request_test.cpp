// POST /revocations bodies (http/revoke_request.hpp): what is accepted, and a reason for everything else.
#include "http/revoke_request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;
using TimePoint = std::chrono::system_clock::time_point;

const TimePoint now = TimePoint(std::chrono::seconds(1'800'000'000));

TEST(RevokeRequest, AcceptsAJtiOrAUserForATtlOrUntilATime) {
  auto jti = parse_revoke_request(R"({"jti":"5f0c","ttl":3600})", now);
  ASSERT_TRUE(jti.has_value()) << jti.error();
  EXPECT_EQ(jti->kind, RevokedKind::token_id);
  EXPECT_EQ(jti->value, "5f0c");
  EXPECT_EQ(jti->until, now + 1h);

  auto user = parse_revoke_request(R"( {"until":1800000600, "user":"\u00e9l\u00e8ve"} )", now);
  ASSERT_TRUE(user.has_value()) << user.error();
  EXPECT_EQ(user->kind, RevokedKind::user);
  EXPECT_EQ(user->value, "\xc3\xa9l\xc3\xa8ve") << "JSON escapes are decoded; UTF-8 is printable";
  EXPECT_EQ(user->until, now + 10min);

  EXPECT_TRUE(parse_revoke_request(R"({"jti":")" + std::string(256, 'x') + R"(","ttl":1})", now).has_value());
  EXPECT_TRUE(parse_revoke_request(R"({"jti":"a","ttl":316224000})", now).has_value()) << "ten years";
}

struct Bad {
  std::string body;
  std::string why;  // part of the error
};

TEST(RevokeRequest, RefusesEverythingElseWithAReason) {
  const std::vector<Bad> cases = {
      {"", "not a JSON object"},
      {"[]", "not a JSON object"},
      {"\"jti\"", "not a JSON object"},
      {R"({"jti":"a","ttl":60)", "not a JSON object"},
      {R"({"jti":"a","ttl":60,})", "not a JSON object"},
      {R"({"jti":"a","jti":"b","ttl":60})", "names a member twice"},
      {R"({"jti":"a","ttl":60,"extra":1})", "unknown field"},
      {R"({"ttl":60})", "exactly one of jti and user"},
      {R"({"jti":"a","user":"b","ttl":60})", "exactly one of jti and user"},
      {R"({"jti":"","ttl":60})", "non-empty string"},
      {R"({"jti":7,"ttl":60})", "non-empty string"},
      {R"({"jti":null,"ttl":60})", "non-empty string"},
      {R"({"jti":")" + std::string(257, 'x') + R"(","ttl":60})", "longer than 256 bytes"},
      {R"({"jti":"a\u0000b","ttl":60})", "control character"},
      {R"({"jti":"a\nb","ttl":60})", "control character"},
      {R"({"jti":"a\u007f","ttl":60})", "control character"},
      {R"({"jti":"a"})", "exactly one of ttl and until"},
      {R"({"jti":"a","ttl":60,"until":1900000000})", "exactly one of ttl and until"},
      {R"({"jti":"a","ttl":0})", "positive number of seconds"},
      {R"({"jti":"a","ttl":-1})", "positive number of seconds"},
      {R"({"jti":"a","ttl":1.5})", "positive number of seconds"},
      {R"({"jti":"a","ttl":"60"})", "positive number of seconds"},
      {R"({"jti":"a","ttl":18446744073709551615})", "positive number of seconds"},
      {R"({"jti":"a","ttl":316224001})", "longer than ten years"},
      {R"({"jti":"a","until":1800000000})", "in the past"},
      {R"({"jti":"a","until":1})", "in the past"},
      {R"({"jti":"a","until":0})", "unix seconds"},
      {R"({"jti":"a","until":"tomorrow"})", "unix seconds"},
      {R"({"jti":"a","until":9223372036854775807})", "more than ten years"},
      {std::string(4097, ' '), "larger than 4096 bytes"},
      {std::string(1000, '[') + std::string(1000, ']'), "not a JSON object"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.substr(0, 80));
    const auto parsed = parse_revoke_request(c.body, now);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_NE(parsed.error().find(c.why), std::string::npos) << parsed.error();
    EXPECT_EQ(parsed.error().find("xxxx"), std::string::npos) << "the error never echoes the body";
  }
}

}  // namespace
}  // namespace authgate::gateway
