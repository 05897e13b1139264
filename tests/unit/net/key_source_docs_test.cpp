// Cache-Control max-age (RFC 9111 §5.2.2.1) and OpenID Connect discovery documents (Discovery §4.3).
#include <gtest/gtest.h>

#include "net/key_source_docs.hpp"

namespace authgate::net {
namespace {

using std::chrono::seconds;

struct MaxAgeCase {
  const char* name;
  const char* field;
  std::optional<long> expected;
};

const MaxAgeCase max_age_cases[] = {
    {"Plain", "max-age=300", 300},
    {"WithOtherDirectives", "public, max-age=60, must-revalidate", 60},
    {"CaseInsensitiveName", "Max-Age=10", 10},
    {"QuotedValue", "max-age=\"42\"", 42},
    {"FirstOfTwoWins", "max-age=5, max-age=500", 5},
    {"SpacesAroundComma", "  no-transform ,max-age=7 ", 7},
    {"NoStoreIsZero", "no-store", 0},
    {"NoCacheBeatsMaxAge", "max-age=600, no-cache", 0},
    {"HugeIsCapped", "max-age=99999999999999999999", 2147483648L},
    {"NegativeIsIgnored", "max-age=-1", std::nullopt},
    {"EmptyValueIsIgnored", "max-age=", std::nullopt},
    {"GarbageIsIgnored", "max-age=12abc", std::nullopt},
    {"SMaxAgeIsNotMaxAge", "s-maxage=30", std::nullopt},
    {"Absent", "", std::nullopt},
};

class MaxAgeTable : public testing::TestWithParam<MaxAgeCase> {};

TEST_P(MaxAgeTable, ReadsTheFreshnessLifetime) {
  const auto& c = GetParam();
  const auto age = cache_max_age(c.field);
  ASSERT_EQ(age.has_value(), c.expected.has_value()) << c.field;
  if (age) {
    EXPECT_EQ(age->count(), *c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Fields, MaxAgeTable, testing::ValuesIn(max_age_cases),
                         [](const auto& p) { return std::string(p.param.name); });

TEST(Discovery, UrlDropsOneTrailingSlash) {
  EXPECT_EQ(discovery_url("https://idp.example"), "https://idp.example/.well-known/openid-configuration");
  EXPECT_EQ(discovery_url("https://idp.example/realms/a/"),
            "https://idp.example/realms/a/.well-known/openid-configuration");
}

struct DiscoveryCase {
  const char* name;
  const char* document;
  bool ok;
  const char* why;
};

const DiscoveryCase discovery_cases[] = {
    {"Valid", R"({"issuer":"https://idp.example","jwks_uri":"https://idp.example/k","x":[1]})", true,
     "issuer identical"},
    {"IssuerWithTrailingSlashDiffers",
     R"({"issuer":"https://idp.example/","jwks_uri":"https://idp.example/k"})", false,
     "Discovery §4.3: identical, not equivalent"},
    {"IssuerOfAnotherTenant", R"({"issuer":"https://evil.example","jwks_uri":"https://evil.example/k"})",
     false, "a document naming another issuer must not be used"},
    {"IssuerCaseDiffers", R"({"issuer":"https://IDP.example","jwks_uri":"https://idp.example/k"})", false,
     "exact string comparison"},
    {"NoIssuer", R"({"jwks_uri":"https://idp.example/k"})", false, "issuer is required"},
    {"NoJwksUri", R"({"issuer":"https://idp.example"})", false, "jwks_uri is required here"},
    {"JwksUriNotString", R"({"issuer":"https://idp.example","jwks_uri":7})", false, "type"},
    {"DuplicateIssuer",
     R"({"issuer":"https://evil.example","issuer":"https://idp.example","jwks_uri":"https://idp.example/k"})",
     false, "duplicate members could be read differently by two parsers"},
    {"NotAnObject", R"(["https://idp.example"])", false, "one JSON object"},
    {"NotJson", "<html>", false, "one JSON object"},
};

class DiscoveryTable : public testing::TestWithParam<DiscoveryCase> {};

TEST_P(DiscoveryTable, AcceptsOnlyTheConfiguredIssuer) {
  const auto& c = GetParam();
  const auto jwks_uri = parse_discovery(c.document, "https://idp.example");
  EXPECT_EQ(jwks_uri.has_value(), c.ok) << c.why;
  if (jwks_uri) {
    EXPECT_EQ(*jwks_uri, "https://idp.example/k");
  } else {
    EXPECT_FALSE(jwks_uri.error().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Documents, DiscoveryTable, testing::ValuesIn(discovery_cases),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace authgate::net
