// Authorization / Proxy-Authorization: exactly one credentials value (RFC 9110 §11.6.2).
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

constexpr Case rfc_examples[] = {
    {"Rfc7617Section2", "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==", "Basic <QWxhZGRpbjpvcGVuIHNlc2FtZQ==>",
     "Basic credentials are a token68"},
    {"Rfc7617Section2_1", "Basic dGVzdDoxMjPCow==", "Basic <dGVzdDoxMjPCow==>", "UTF-8 user-pass"},
    {"Rfc6750Section2_1", "Bearer mF_9.B5f-4.1JqM", "Bearer <mF_9.B5f-4.1JqM>", "b64token is token68"},
    {"Rfc7616Section3_9_1Md5",
     R"(Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")",
     R"(Digest {username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm="MD5", nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc="00000001", cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop="auth", response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"})",
     "Digest credentials are auth-params"},
    {"Rfc7616Section3_9_2Userhash",
     R"(Digest username="488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec", realm="api@example.org", uri="/doe.json", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", nc=00000001, cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", qop=auth, response="ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", userhash=true)",
     R"(Digest {username="488869477bf257147b804c45308cd62ac4e25eb717b12b298c79e62dcea254ec", realm="api@example.org", uri="/doe.json", algorithm="SHA-512-256", nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", nc="00000001", cnonce="NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", qop="auth", response="ae66e67d6b427bd3f120414a82e4acff38e8ecd9101d6c861229025f607a79dd", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", userhash="true"})",
     "userhash=true as a token"},
    {"Rfc2617Section3_5",
     R"(Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41")",
     R"(Digest {username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", qop="auth", nc="00000001", cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"})",
     "the RFC 2617 example"},
};

constexpr Case cases[] = {
    {"SchemeKeepsItsSpelling", "bAsIc QWxh", "bAsIc <QWxh>", "compare schemes with iequals"},
    {"SchemeAloneIsGrammatical", "Basic", "Basic", "the Basic scheme, not the grammar, requires a token68"},
    {"SurroundingWhitespaceIsNotPartOfTheValue", "  Basic abc  ", "Basic <abc>", "RFC 9110 §5.5 trims OWS"},
    {"TabSeparatesLikeSpace", "Basic\tabc", "Basic <abc>", "we accept HTAB after the scheme, as curl does"},
    {"EmptyElementsInsideTheParamList", "Digest a=b, , c=d,", R"(Digest {a="b", c="d"})",
     "#auth-param allows empty elements (RFC 9110 §5.6.1.2)"},
    {"EqualsInsideIsAnAuthParam", "Basic ab=cd", R"(Basic {ab="cd"})",
     "'ab=cd' reads as an auth-param, never as a token68; the Basic scheme rejects it"},
    {"EmptyIsAnError", "", "error:empty@0", "no credentials at all"},
    {"WhitespaceOnlyIsEmpty", "   ", "error:empty@3", "no credentials at all"},
    {"TwoToken68CredentialsAreMoreThanOne", "Basic abc, Bearer def", "error:more_than_one@11",
     "one credentials per field; two could be checked by two different components"},
    {"TwoParamCredentialsAreMoreThanOne", "Digest a=b, Basic x", "error:more_than_one@12",
     "a token not followed by '=' after a comma is a second scheme"},
    {"BareSchemeThenAnotherIsMoreThanOne", "Basic, Bearer x", "error:more_than_one@7", "two schemes"},
    {"TrailingCommaAfterToken68", "Basic abc,", "error:expected_comma@9",
     "a token68 ends the credentials; Apache and nginx would choke on the ',' too"},
    {"TrailingCommaAndSpaceAfterToken68", "Basic abc, ", "error:expected_comma@9", "same, with OWS"},
    {"LeadingComma", ", Basic abc", "error:expected_scheme@0", "Authorization is not a list"},
    {"SpaceInsideToken68", "Bearer a b", "error:expected_equals@9", "a token68 has no spaces"},
    {"NulInsideToken68", std::string_view("Basic ab\0cd", 11), "error:expected_equals@8", "NUL ends nothing"},
    {"ObsFoldIsNotWhitespaceInRequests", "Basic abc\r\n def", "error:expected_equals@9",
     "RFC 9112 §5.2: a server rejects obs-fold; CR is never whitespace here"},
    {"DuplicateParam", R"(Digest username="a", username="b")", "error:duplicate_param@21",
     "two usernames: which one was checked?"},
    {"UnterminatedQuote", R"(Digest username="a)", "error:unterminated_quote@16", "no closing quote"},
    {"EightBitScheme", "B\xe4sic abc", "error:expected_comma@1", "obs-text is not a tchar"},
};

class CredentialsField : public ::testing::TestWithParam<Case> {};

TEST_P(CredentialsField, ParseAsExpected) {
  const Case& c = GetParam();
  EXPECT_EQ(summary(parse_credentials(c.input)), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(RfcExamples, CredentialsField, ::testing::ValuesIn(rfc_examples), case_name<Case>);
INSTANTIATE_TEST_SUITE_P(Syntax, CredentialsField, ::testing::ValuesIn(cases), case_name<Case>);

TEST(CredentialsLimits, LongFieldAndManyParamsAreRejected) {
  EXPECT_EQ(summary(parse_credentials("Bearer " + std::string(9000, 'a'))), "error:too_long@8192");
  std::string digest = "Digest p0=0";
  for (int i = 1; i < 40; ++i) digest += ",p" + std::to_string(i) + "=0";
  EXPECT_EQ(summary(parse_credentials(digest)).substr(0, 22), "error:too_many_params@");
}

TEST(CredentialsLimits, HugeToken68ParsesWhenTheLimitAllows) {
  const std::string token(1 << 20, 'A');
  auto parsed = parse_credentials("Bearer " + token, Limits{.max_field_bytes = 2 << 20});
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->token68->size(), token.size());
}

}  // namespace
}  // namespace authgate::grammar
