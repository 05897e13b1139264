// WWW-Authenticate / Proxy-Authenticate: RFC examples, token68 versus auth-param, errors with offsets,
// limits and several field lines.
#include <gtest/gtest.h>

#include <array>
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
    {"Rfc9110Section11_6_1",
     R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")",
     R"(Newauth {realm="apps", type="1", title="Login to \"apps\""} | Basic {realm="simple"})",
     "the RFC's own example of two challenges in one field"},
    {"Rfc7617Section2", R"(Basic realm="WallyWorld")", R"(Basic {realm="WallyWorld"})", "Basic challenge"},
    {"Rfc7617Section2_1", R"(Basic realm="foo", charset="UTF-8")", R"(Basic {realm="foo", charset="UTF-8"})",
     "Basic with charset"},
    {"Rfc7616Section3_9_2",
     R"(Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset=UTF-8, userhash=true)",
     R"(Digest {realm="api@example.org", qop="auth", algorithm="SHA-512-256", nonce="5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK", opaque="HRPCssKJSGjCrkzDg8OhwpzCiGPChXYjwrI2QmXDnsOS", charset="UTF-8", userhash="true"})",
     "token and quoted values mixed; '+' and '/' inside quotes"},
    {"Rfc2617Section3_5",
     R"(Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41")",
     R"(Digest {realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"})",
     "the most copied Digest challenge"},
    {"Rfc6750Section3", R"(Bearer realm="example")", R"(Bearer {realm="example"})", "Bearer challenge"},
    {"Rfc6750Section3Error",
     R"(Bearer realm="example", error="invalid_token", error_description="The access token expired")",
     R"(Bearer {realm="example", error="invalid_token", error_description="The access token expired"})",
     "Bearer error challenge"},
};

constexpr Case token68_cases[] = {
    {"Token68WithoutPadding", "NTLS Y2hhbGxlbmdl", "NTLS <Y2hhbGxlbmdl>",
     "a run of token68 characters ending the element"},
    {"Token68WithOnePad", "NTLS Y2hhbGxlbmdlIGRhdGE=", "NTLS <Y2hhbGxlbmdlIGRhdGE=>",
     "one '=' then the end: token68"},
    {"Token68WithTwoPads", "Negotiate abc123==, Basic realm=\"test\"",
     R"(Negotiate <abc123==> | Basic {realm="test"})", "token68 followed by the next challenge"},
    {"NameAndEqualsAloneIsToken68", "Bearer error=", "Bearer <error=>",
     "an auth-param value is never empty, so 'error=' can only be a token68"},
    {"Token68ThenAuthParamIsNotAChallenge", R"(Negotiate abc123==, realm="ignored")",
     "error:expected_scheme@20", "a challenge has a token68 or params, never both (RFC 9110 §11.2)"},
    {"DoublePadThenGarbage", "Negotiate abc== ???", "error:expected_comma@16",
     "'==' can only end a token68, so what follows must be ','"},
    {"Token68InTheMiddleOfAList", R"(Bearer realm="foo", Digest blah==, Basic realm="bar")",
     R"(Bearer {realm="foo"} | Digest <blah==> | Basic {realm="bar"})", "token68 between challenges"},
    {"Token68WithAllItsCharacters", "X aZ09-._~+/==", "X <aZ09-._~+/==>", "RFC 9110 §11.2 token68 alphabet"},
    {"EqualsInsideIsAnAuthParam", "Basic ab=cd", R"(Basic {ab="cd"})",
     "'ab=cd' is an auth-param; the Basic scheme will find no token68"},
    {"TabAfterSchemeSeparates", "Basic\tabc", "Basic <abc>",
     "we accept HTAB like SP after the scheme, as curl does"},
};

constexpr Case syntax_cases[] = {
    {"EmptyFieldIsAnError", "", "error:empty@0",
     "a 401 needs at least one challenge (RFC 9110 §11.6.1: 1#challenge)"},
    {"OnlyCommasIsEmpty", ", ,", "error:empty@3", "empty elements are skipped, then nothing is left"},
    {"OnlyWhitespaceIsEmpty", "   ", "error:empty@3", "whitespace is not a challenge"},
    {"WeirdSpacing",
     R"(Bearer   realm =   "something"   ,error="bad_token" ,  error_description = " spaced ")",
     R"(Bearer {realm="something", error="bad_token", error_description=" spaced "})",
     "OWS around commas and BWS around '=' are allowed; spaces inside quotes are kept"},
    {"TrailingComma", R"(Bearer realm="foo",)", R"(Bearer {realm="foo"})", "a trailing empty element"},
    {"PercentIsATchar", "%%%%%%%", "%%%%%%%", "'%' is a tchar, so this is a scheme"},
    {"MissingScheme", R"(  error="invalid_token", error_description="no scheme")", "error:expected_scheme@2",
     "an auth-param where a challenge must start"},
    {"EqualsRightAfterScheme", "Basic =foo", "error:expected_scheme@0",
     "'Basic =foo' is a param named basic"},
    {"MissingEquals", R"(Bearer error"invalid_token")", "error:expected_equals@12", "name then quote"},
    {"GarbageAfterAList", R"(Bearer error="ok", ???)", "error:expected_scheme@19", "'?' starts no element"},
    {"StrayEscapeAtTheEnd", R"(Bearer error="bad\escape\")", "error:unterminated_quote@13",
     "the final \\\" is an escaped quote, so the string never closes"},
    {"MissingCommaBetweenParams", R"(Basic realm="foo" charset="UTF-8")", "error:expected_comma@18",
     "params are separated by commas"},
    {"GarbageAfterQuotedValue", R"(Basic realm="a"x)", "error:expected_comma@15",
     "a quoted-string ends the value"},
    {"QuoteRightAfterScheme", R"(Basic"realm")", "error:expected_comma@5",
     "the scheme needs SP before its params"},
    {"ParamWithoutEquals", "Basic realm realm2", "error:expected_equals@12",
     "neither token68 nor auth-param"},
    {"QuotedStringAsAChallenge", R"(Basic a=b, "x")", "error:expected_scheme@11",
     "a challenge starts with a token"},
    {"DuplicateIsCaseInsensitive", R"(Basic a="1", A="2")", "error:duplicate_param@13",
     "names compare case-insensitively (RFC 9110 §11.2)"},
    {"SameNameInTwoChallengesIsFine", R"(Basic realm="a", Newauth realm="b")",
     R"(Basic {realm="a"} | Newauth {realm="b"})", "the once-only rule is per challenge"},
    {"Token68ThenParams", R"(Negotiate abc== realm="x")", "error:expected_comma@16", "token68 or params"},
    {"DoublePadThenQuote", R"(Basic realm=="x")", "error:expected_comma@13", "'realm==' is a token68"},
    {"EmptyQuotedValue", R"(Basic realm="")", R"(Basic {realm=""})", "an empty quoted-string is a value"},
    {"EscapedBackslash", R"(Bearer error_description="bad \\ token")",
     R"(Bearer {error_description="bad \\ token"})", "\\\\ is one backslash"},
    {"UpperCaseParamNames", R"(Bearer ERROR="token", Scope="read")",
     R"(Bearer {error="token", scope="read"})", "param names are lower-cased"},
};

class Challenges : public ::testing::TestWithParam<Case> {};

TEST_P(Challenges, ParseAsExpected) {
  const Case& c = GetParam();
  EXPECT_EQ(summary(parse_challenges(c.input)), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(RfcExamples, Challenges, ::testing::ValuesIn(rfc_examples), case_name<Case>);
INSTANTIATE_TEST_SUITE_P(Token68, Challenges, ::testing::ValuesIn(token68_cases), case_name<Case>);
INSTANTIATE_TEST_SUITE_P(Syntax, Challenges, ::testing::ValuesIn(syntax_cases), case_name<Case>);

TEST(Challenges, Rfc7616TwoChallengesOnTwoFieldLines) {
  const std::array<std::string_view, 2> lines = {
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")",
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")"};
  auto parsed = parse_challenges(lines);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  ASSERT_EQ(parsed->size(), 2u);
  EXPECT_EQ(*find_param((*parsed)[0].params, "algorithm"), "SHA-256");
  EXPECT_EQ(*find_param((*parsed)[1].params, "algorithm"), "MD5");
  EXPECT_EQ(*find_param((*parsed)[1].params, "qop"), "auth, auth-int");
}

TEST(Challenges, ErrorOffsetsAreIntoTheJoinedValue) {
  const std::array<std::string_view, 2> lines = {R"(Basic realm="a")", R"(Basic realm="b)"};
  EXPECT_EQ(summary(parse_challenges(lines)), "error:unterminated_quote@29");  // 15 + ", " + 12
}

TEST(Challenges, AQuotedStringNeverSpansTwoFieldLines) {
  // Joined naively, these would read as one realm "a, b"; each line is a field line of its own.
  const std::array<std::string_view, 2> lines = {R"(Basic realm="a)", R"(b")"};
  EXPECT_EQ(summary(parse_challenges(lines)), "error:unterminated_quote@12");
}

TEST(Challenges, EmptyFieldLinesAreEmptyElements) {
  const std::array<std::string_view, 3> lines = {"", "Basic", " , "};
  EXPECT_EQ(summary(parse_challenges(lines)), "Basic");
  EXPECT_EQ(summary(parse_challenges(std::span<const std::string_view>{})), "error:empty@0");
}

TEST(ChallengeLimits, SeventeenthChallengeIsTooMany) {
  std::string field;
  for (int i = 0; i < 17; ++i) field += "A, ";
  EXPECT_EQ(summary(parse_challenges(field)), "error:too_many_challenges@48");
  EXPECT_EQ(summary(parse_challenges(field, Limits{.max_challenges = 17})).find("error"), std::string::npos);
}

TEST(ChallengeLimits, ThirtyThirdParamIsTooMany) {
  std::string field = "Digest p0=0";
  for (int i = 1; i < 33; ++i) field += ", p" + std::to_string(i) + "=0";
  const auto offset = field.rfind("p32");
  EXPECT_EQ(summary(parse_challenges(field)), "error:too_many_params@" + std::to_string(offset));
  EXPECT_TRUE(parse_challenges(field, Limits{.max_params = 33}).has_value());
}

TEST(ChallengeLimits, FieldLongerThanTheLimitIsRejectedAtTheLimit) {
  const std::string at_limit = "Basic realm=\"" + std::string(8192 - 14, 'a') + "\"";
  ASSERT_EQ(at_limit.size(), 8192u);
  EXPECT_TRUE(parse_challenges(at_limit).has_value());
  EXPECT_EQ(summary(parse_challenges(at_limit + " ")), "error:too_long@8192");
}

TEST(ChallengeLimits, SeveralLinesCountTogether) {
  const std::string line(5000, 'A');
  const std::array<std::string_view, 2> lines = {line, line};
  EXPECT_EQ(summary(parse_challenges(lines)), "error:too_long@8192");
  const std::array<std::string_view, 17> many = {"A", "A", "A", "A", "A", "A", "A", "A", "A",
                                                 "A", "A", "A", "A", "A", "A", "A", "A"};
  EXPECT_EQ(summary(parse_challenges(many)), "error:too_many_challenges@48");
}

TEST(Challenges, SchemeKeepsItsSpellingAndParamNamesAreLowerCase) {
  auto parsed = parse_challenges(R"(DiGeSt ReAlM="x")");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ((*parsed)[0].scheme, "DiGeSt");
  EXPECT_TRUE(iequals((*parsed)[0].scheme, "digest"));
  EXPECT_EQ((*parsed)[0].params[0].name, "realm");
  EXPECT_EQ(*find_param((*parsed)[0].params, "REALM"), "x");
  EXPECT_EQ(find_param((*parsed)[0].params, "nonce"), nullptr);
}

}  // namespace
}  // namespace authgate::grammar
