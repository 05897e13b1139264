// Authentication-Info / Proxy-Authentication-Info: a list of auth-params (RFC 9110 §11.6.3).
#include <gtest/gtest.h>

#include <ostream>
#include <string>
#include <string_view>

#include "authgate/grammar/parse.hpp"
#include "summary.hpp"

namespace authgate::grammar {
namespace {

using test::Case;
using test::case_name;
using test::summary;

constexpr Case cases[] = {
    {"DigestResponseAuth",
     R"(qop=auth, rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc=00000001, nextnonce="abc")",
     R"({qop="auth", rspauth="6629fae49393a05397450978507c4ef1", cnonce="0a4f113b", nc="00000001", nextnonce="abc"})",
     "RFC 7616 §3.5 fields, tokens and quoted-strings"},
    {"EmptyValueIsAnEmptyList", "", "{}",
     "#auth-param allows zero elements; the scheme decides what is missing"},
    {"OnlyCommas", " , ,", "{}", "empty elements are skipped (RFC 9110 §5.6.1.2)"},
    {"ObsFoldIsWhitespace", "a=1,\r\n b=2", R"({a="1", b="2"})", "a response field, like WWW-Authenticate"},
    {"NamesAreLowerCased", "RspAuth=\"x\"", R"({rspauth="x"})", "case-insensitive names"},
    {"SchemeIsNotAllowed", R"(Digest rspauth="x")", "error:expected_equals@7", "the field holds no scheme"},
    {"Duplicate", "a=1, a=2", "error:duplicate_param@5", "two values for one name"},
    {"MissingComma", "a=1 b=2", "error:expected_comma@4", "params are comma-separated"},
    {"MissingName", "=1", "error:expected_param@0", "a value without a name"},
    {"MissingValue", "a=", "error:expected_value@2", "a value is a token or quoted-string"},
    {"BareTokenAfterComma", "a=1, b", "error:expected_equals@6", "every element is an auth-param"},
    {"LoneCarriageReturn", "a=1\r, b=2", "error:expected_comma@3", "CR is only whitespace in obs-fold"},
};

class AuthInfo : public ::testing::TestWithParam<Case> {};

TEST_P(AuthInfo, ParsesAsExpected) {
  const Case& c = GetParam();
  EXPECT_EQ(summary(parse_auth_info(c.input)), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(Syntax, AuthInfo, ::testing::ValuesIn(cases), case_name<Case>);

TEST(AuthInfoLimits, LongFieldAndManyParamsAreRejected) {
  EXPECT_EQ(summary(parse_auth_info("a=\"" + std::string(9000, 'x') + "\"")), "error:too_long@8192");
  std::string field = "p0=0";
  for (int i = 1; i < 33; ++i) field += ",p" + std::to_string(i) + "=0";
  EXPECT_EQ(summary(parse_auth_info(field)), "error:too_many_params@" + std::to_string(field.rfind("p32")));
}

}  // namespace
}  // namespace authgate::grammar
