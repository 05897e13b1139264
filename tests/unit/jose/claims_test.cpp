#include "authgate/jose/claims.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::jose {
namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr long now_s = 1'700'000'000;
const system_clock::time_point now{seconds(now_s)};

std::string at(long offset) { return std::to_string(now_s + offset); }

ClaimsPolicy policy() {
  ClaimsPolicy p;
  p.issuer = "https://issuer.example";
  p.audiences = {"api", "api2"};
  return p;
}

// A claims set that passes policy(), with `extra` members appended.
std::string claims(const std::string& extra = {}, const std::string& exp = at(300)) {
  return R"({"iss":"https://issuer.example","aud":"api","sub":"alice","exp":)" + exp + extra + "}";
}

struct ClaimsCase {
  const char* name;
  std::string payload;
  std::optional<VerifyErrc> expected;  // nullopt = accepted
  const char* why;
};

TEST(Claims, ChecksTimeIssuerAudienceAndRequiredClaims) {
  const ClaimsCase cases[] = {
      {"valid", claims(), std::nullopt, "the normal case"},
      {"fractional exp", claims({}, at(300) + ".5"), std::nullopt,
       "NumericDate may be fractional (RFC 7519 §2)"},
      {"expired 1 s beyond leeway", claims({}, at(-61)), VerifyErrc::expired, "now ≥ exp + 60"},
      {"expired exactly at leeway", claims({}, at(-60)), VerifyErrc::expired,
       "now MUST be before exp + leeway"},
      {"expired within leeway", claims({}, at(-59)), std::nullopt, "clock skew allowance"},
      {"exp a string", claims({}, "\"" + at(300) + "\""), VerifyErrc::bad_claim, "NumericDate is a number"},
      {"exp missing", R"({"iss":"https://issuer.example","aud":"api","sub":"alice"})",
       VerifyErrc::missing_claim, "require_exp by default"},
      {"nbf in the future", claims(",\"nbf\":" + at(61)), VerifyErrc::not_yet_valid, "RFC 7519 §4.1.5"},
      {"nbf within leeway", claims(",\"nbf\":" + at(60)), std::nullopt, "now + leeway ≥ nbf"},
      {"nbf null", claims(",\"nbf\":null"), VerifyErrc::bad_claim, "null is not a date"},
      {"iat in the future", claims(",\"iat\":" + at(61)), VerifyErrc::issued_in_future,
       "issued after now + leeway"},
      {"iat in the past", claims(",\"iat\":" + at(-3600)), std::nullopt, "normal"},
      {"wrong issuer", R"({"iss":"https://evil.example","aud":"api","sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_issuer, "exact match"},
      {"issuer with trailing slash",
       R"({"iss":"https://issuer.example/","aud":"api","sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_issuer, "no normalisation (RFC 7519 §2 StringOrURI)"},
      {"issuer missing", R"({"aud":"api","sub":"a","exp":)" + at(300) + "}", VerifyErrc::bad_issuer,
       "required"},
      {"issuer a number", R"({"iss":1,"aud":"api","sub":"a","exp":)" + at(300) + "}", VerifyErrc::bad_claim,
       "type"},
      {"aud array with ours",
       R"({"iss":"https://issuer.example","aud":["x","api2"],"sub":"a","exp":)" + at(300) + "}", std::nullopt,
       "RFC 7519 §4.1.3 array form"},
      {"aud array without ours",
       R"({"iss":"https://issuer.example","aud":["x","y"],"sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_audience, "wrong aud in an array"},
      {"aud empty array", R"({"iss":"https://issuer.example","aud":[],"sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_audience, "identifies nobody"},
      {"aud array with a number",
       R"({"iss":"https://issuer.example","aud":["api",1],"sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_claim, "aud elements are strings"},
      {"aud missing", R"({"iss":"https://issuer.example","sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_audience, "audience configured, so required"},
      {"aud case differs", R"({"iss":"https://issuer.example","aud":"API","sub":"a","exp":)" + at(300) + "}",
       VerifyErrc::bad_audience, "case-sensitive"},
      {"no sub", R"({"iss":"https://issuer.example","aud":"api","exp":)" + at(300) + "}",
       VerifyErrc::no_subject, "an identity needs a user"},
      {"empty sub", R"({"iss":"https://issuer.example","aud":"api","sub":"","exp":)" + at(300) + "}",
       VerifyErrc::no_subject, "non-empty"},
      {"payload not JSON", "foo", VerifyErrc::malformed, "RFC 7519 §7.2: the claims set is a JSON object"},
      {"payload an array", "[]", VerifyErrc::malformed, "an object"},
      {"duplicate sub", claims(",\"sub\":\"mallory\""), VerifyErrc::malformed,
       "RFC 7519 §4: names are unique"},
  };
  for (const auto& c : cases) {
    const auto result = check_claims(c.payload, policy(), now);
    if (c.expected) {
      ASSERT_FALSE(result) << c.name << ": " << c.why;
      EXPECT_EQ(result.error(), *c.expected)
          << c.name << ": " << c.why << " got " << to_string(result.error());
    } else {
      EXPECT_TRUE(result) << c.name << ": " << c.why << " got " << to_string(result.error());
    }
  }
}

TEST(Claims, RefusesAnyAudienceWhenNoneIsConfigured) {
  ClaimsPolicy p = policy();
  p.audiences.clear();
  EXPECT_EQ(check_claims(claims(), p, now).error(), VerifyErrc::bad_audience)
      << "RFC 7519 §4.1.3 MUST reject";
  EXPECT_TRUE(check_claims(R"({"iss":"https://issuer.example","sub":"a","exp":)" + at(300) + "}", p, now));
}

TEST(Claims, HonoursRequiredClaimsLeewayAndOptionalExp) {
  ClaimsPolicy p = policy();
  p.required_claims = {"jti", "client_id"};
  EXPECT_EQ(check_claims(claims(",\"jti\":\"1\""), p, now).error(), VerifyErrc::missing_claim);
  EXPECT_EQ(check_claims(claims(",\"jti\":\"1\",\"client_id\":null"), p, now).error(),
            VerifyErrc::missing_claim);
  EXPECT_TRUE(check_claims(claims(",\"jti\":\"1\",\"client_id\":\"c\""), p, now));
  p = policy();
  p.leeway = seconds(0);
  EXPECT_EQ(check_claims(claims({}, at(0)), p, now).error(), VerifyErrc::expired);
  EXPECT_TRUE(check_claims(claims({}, at(1)), p, now));
  p.require_exp = false;
  EXPECT_TRUE(check_claims(R"({"iss":"https://issuer.example","aud":"api","sub":"a"})", p, now));
}

TEST(Claims, BuildsTheIdentity) {
  ClaimsPolicy p = policy();
  p.groups_claim = "groups";
  const auto result = check_claims(
      claims(
          R"(,"groups":["admins","ops",7],"scope":"read write  read","scp":["admin"],"email_verified":true,)"
          R"("tenant":{"id":1},"n":42,"roles":"a b")"),
      p, now);
  ASSERT_TRUE(result) << to_string(result.error());
  const Identity& id = result->identity;
  EXPECT_EQ(id.user, "alice");
  EXPECT_EQ(id.scheme, "Bearer");
  EXPECT_EQ(id.groups, (std::vector<std::string>{"admins", "ops"})) << "non-strings ignored";
  EXPECT_EQ(id.scopes, (std::vector<std::string>{"read", "write", "admin"}))
      << "scope words and scp, deduplicated";
  EXPECT_EQ(id.claims.at("email_verified"), std::vector<std::string>{"true"});
  EXPECT_EQ(id.claims.at("n"), std::vector<std::string>{"42"});
  EXPECT_EQ(id.claims.at("aud"), std::vector<std::string>{"api"});
  EXPECT_EQ(id.claims.at("groups"), (std::vector<std::string>{"admins", "ops", "7"}));
  EXPECT_EQ(id.claims.count("tenant"), 0u) << "nested objects are left out";
  ASSERT_TRUE(result->expires_at);
  EXPECT_EQ(*result->expires_at, now + seconds(300));
}

TEST(Claims, KeepsOnlyTheClaimsThePolicyNamesWhenItNamesThem) {
  ClaimsPolicy p = policy();
  p.groups_claim = "groups";
  p.kept_claims = std::vector<std::string>{"jti", "team", "absent"};
  const auto result =
      check_claims(claims(R"(,"groups":["ops"],"scope":"read","jti":"j1","team":"blue","n":1)"), p, now);
  ASSERT_TRUE(result) << to_string(result.error());
  const Identity& id = result->identity;
  EXPECT_EQ(id.claims.size(), 2u) << "jti and team; absent is not there to keep";
  EXPECT_EQ(id.claims.at("jti"), std::vector<std::string>{"j1"});
  EXPECT_EQ(id.claims.at("team"), std::vector<std::string>{"blue"});
  EXPECT_EQ(id.user, "alice") << "user, groups and scopes are read whatever is kept";
  EXPECT_EQ(id.groups, std::vector<std::string>{"ops"});
  EXPECT_EQ(id.scopes, std::vector<std::string>{"read"});
  p.kept_claims = std::vector<std::string>{};
  EXPECT_TRUE(check_claims(claims(R"(,"jti":"j1")"), p, now)->identity.claims.empty());
}

TEST(Claims, ReadsUserAndGroupsFromConfiguredClaims) {
  ClaimsPolicy p = policy();
  p.user_claim = "preferred_username";
  p.groups_claim = "roles";
  const auto result = check_claims(claims(R"(,"preferred_username":"al","roles":"a b  c")"), p, now);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->identity.user, "al");
  EXPECT_EQ(result->identity.groups, (std::vector<std::string>{"a", "b", "c"}))
      << "space-separated string form";
  EXPECT_EQ(check_claims(claims(R"(,"preferred_username":1)"), p, now).error(), VerifyErrc::no_subject);
}

TEST(Claims, ClampsAbsurdExpiryTimes) {
  const auto result = check_claims(claims({}, "1e300"), policy(), now);
  ASSERT_TRUE(result);
  ASSERT_TRUE(result->expires_at);
  EXPECT_GT(*result->expires_at, now);
}

}  // namespace
}  // namespace authgate::jose
