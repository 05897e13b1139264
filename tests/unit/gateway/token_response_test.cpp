// Cache-Control: private on responses to requests that carried a Bearer token in their URI (RFC 6750
// §2.3), and which bodies are searched for one (§2.2).
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "gateway/proxy/form_body.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {
namespace {

struct CacheCase {
  std::string name;
  std::optional<std::string> upstream;  // the upstream's Cache-Control, if any
  std::string expected;
};

class MakePrivateTest : public ::testing::TestWithParam<CacheCase> {};

TEST_P(MakePrivateTest, KeepsTheResponseOutOfSharedCaches) {
  ResponseHead response;
  response.result(http::status::ok);
  if (GetParam().upstream) response.set(http::field::cache_control, *GetParam().upstream);
  make_private(response);
  EXPECT_EQ(response[http::field::cache_control], GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    CacheControl, MakePrivateTest,
    ::testing::Values(CacheCase{"Absent", std::nullopt, "private"},
                      CacheCase{"MaxAgeKept", "max-age=60", "private, max-age=60"},
                      CacheCase{"PublicDropped", "public, max-age=60", "private, max-age=60"},
                      CacheCase{"AlreadyPrivate", "private, max-age=5", "private, max-age=5"},
                      CacheCase{"NoStoreIsEnough", "No-Store", "No-Store"}),
    [](const auto& p) { return p.param.name; });

TEST(FormBodyTest, OnlySinglePartUrlencodedFormsAreSearched) {
  // RFC 6750 §2.2: "The entity-body is single-part" and "application/x-www-form-urlencoded".
  EXPECT_TRUE(is_form_urlencoded("application/x-www-form-urlencoded"));
  EXPECT_TRUE(is_form_urlencoded("Application/X-WWW-Form-Urlencoded ; charset=UTF-8"));
  EXPECT_FALSE(is_form_urlencoded("multipart/form-data; boundary=x"));
  EXPECT_FALSE(is_form_urlencoded("application/json"));
  EXPECT_FALSE(is_form_urlencoded("application/x-www-form-urlencodedx"));
  EXPECT_FALSE(is_form_urlencoded(""));
}

}  // namespace
}  // namespace authgate::gateway
