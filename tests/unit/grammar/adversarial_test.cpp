// Hostile input: control bytes, 8-bit bytes, unterminated quotes, very long lists, and every truncation
// and single-byte corruption of valid fields. Nothing crashes, throws or reads past the input (the
// sanitizer and fuzz builds check the last part), and the cost stays linear.
#include <gtest/gtest.h>

#include <chrono>
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

constexpr Case hostile[] = {
    {"NulInQuotedString", std::string_view("Basic realm=\"a\0b\"", 17), "error:bad_quoted_char@14",
     "NUL is no qdtext; it would truncate the value in C APIs"},
    {"NulAsScheme", std::string_view("\0Basic", 6), "error:expected_scheme@0", "NUL is no tchar"},
    {"CrLfInQuotedString", "Basic realm=\"a\r\nSet-Cookie: x\"", "error:bad_quoted_char@14",
     "CR/LF inside a value would smuggle a header line"},
    {"LoneLfBetweenElements", "Basic realm=\"a\"\nBearer", "error:expected_comma@15",
     "only CRLF followed by SP/HTAB is obs-fold"},
    {"CrLfWithoutFold", "Basic realm=\"a\"\r\nBearer", "error:expected_comma@15", "a real line break"},
    {"EscapedCr", "Basic realm=\"a\\\r\"", "error:bad_quoted_char@15", "quoted-pair cannot escape a CTL"},
    {"DelInQuotedString", "Basic realm=\"a\x7f\"", "error:bad_quoted_char@14", "DEL is a CTL"},
    {"EightBitInToken", "Basic realm=f\xe4o", "error:expected_comma@13", "obs-text only inside quotes"},
    {"EightBitScheme", "\xff", "error:expected_scheme@0", "0xFF is no tchar"},
    {"UnterminatedQuote", "Basic realm=\"", "error:unterminated_quote@12", "the quote never closes"},
    {"TrailingBackslash", "Basic realm=\"abc\\", "error:bad_quoted_char@16",
     "a '\\' escapes nothing at the end"},
    {"OnlyQuote", "\"", "error:expected_scheme@0", "no scheme"},
    {"OnlyEquals", "=", "error:expected_scheme@0", "no scheme"},
    {"SchemeThenSpaceThenEquals", "A =", "error:expected_scheme@0", "a param without value or scheme"},
};

class Hostile : public ::testing::TestWithParam<Case> {};

TEST_P(Hostile, ChallengesFailWithReasonAndOffset) {
  const Case& c = GetParam();
  EXPECT_EQ(summary(parse_challenges(c.input)), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(Input, Hostile, ::testing::ValuesIn(hostile), case_name<Case>);

constexpr Limits unlimited{.max_field_bytes = 4 << 20, .max_challenges = 200000, .max_params = 200000};

TEST(Adversarial, HundredThousandCommasAreEmpty) {
  const std::string commas(100000, ',');
  EXPECT_EQ(summary(parse_challenges(commas, unlimited)), "error:empty@100000");
  EXPECT_EQ(summary(parse_challenges("Basic " + commas, unlimited)), "Basic");
  EXPECT_EQ(summary(parse_credentials("Basic " + commas, unlimited)), "Basic");
  EXPECT_EQ(summary(parse_auth_info(commas, unlimited)), "{}");
  EXPECT_EQ(summary(parse_challenges(commas)), "error:too_long@8192") << "the default limit stops it first";
}

TEST(Adversarial, TenThousandParamsAreLinearWithRaisedLimits) {
  std::string field = "Digest p0=0";
  for (int i = 1; i < 10000; ++i) field += ", p" + std::to_string(i) + "=\"v\"";
  const auto start = std::chrono::steady_clock::now();
  auto parsed = parse_challenges(field, unlimited);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message();
  EXPECT_EQ(parsed->front().params.size(), 10000u);
  EXPECT_LT(elapsed, std::chrono::milliseconds(200)) << "duplicate detection must not be quadratic";
  EXPECT_EQ(summary(parse_challenges(field + ", P9999=x", unlimited)),
            "error:duplicate_param@" + std::to_string(field.size() + 2));
  EXPECT_EQ(summary(parse_challenges(field)), "error:too_long@8192");
  EXPECT_EQ(summary(parse_challenges(field, Limits{.max_field_bytes = 1 << 20})).substr(0, 22),
            "error:too_many_params@");
}

TEST(Adversarial, ManyChallengesWithRaisedLimits) {
  std::string field;
  for (int i = 0; i < 100000; ++i) field += "A, ";
  auto parsed = parse_challenges(field, unlimited);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size(), 100000u);
}

TEST(Adversarial, HugeToken68AndHugeQuotedString) {
  const std::string big(1 << 20, 'A');
  EXPECT_EQ(parse_challenges("Negotiate " + big + "==", unlimited).value().front().token68->size(),
            big.size() + 2);
  EXPECT_EQ(
      find_param(parse_challenges("X a=\"" + big + "\"", unlimited).value().front().params, "a")->size(),
      big.size());
  EXPECT_EQ(summary(parse_challenges("X a=\"" + big, unlimited)), "error:unterminated_quote@4");
  std::string escapes;
  for (int i = 0; i < 100000; ++i) escapes += "\\\"";
  EXPECT_EQ(find_param(parse_auth_info("a=\"" + escapes + "\"", unlimited).value(), "a")->size(), 100000u);
}

// A result is either a value or an error whose offset lies inside the input and which can be explained.
template <class T>
int check_result(const ParseResult<T>& result, std::string_view input) {
  if (result.has_value()) return 0;
  EXPECT_LE(result.error().offset, input.size()) << input;
  EXPECT_FALSE(result.error().message().empty());
  return 1;
}

int check_all_parsers(std::string_view input) {
  return check_result(parse_challenges(input), input) + check_result(parse_credentials(input), input) +
         check_result(parse_auth_info(input), input);
}

// Every prefix and every single-byte replacement of valid fields: the parsers return a value or an
// error with an offset inside the input, and never throw.
TEST(Adversarial, EveryTruncationAndByteCorruptionIsHandled) {
  const std::string_view seeds[] = {
      R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")",
      R"(Digest username="Mufasa", realm="x", nc=00000001, qop=auth, response="8ca5")",
      "Negotiate abc123==, Basic realm=\"a\\\\\"",
  };
  const char replacements[] = {'\0', '\r', '\n', ' ', '\t', ',', '=', '"', '\\', '\x80', '\xff', 'a'};
  int errors = 0;
  for (std::string_view seed : seeds) {
    for (std::size_t cut = 0; cut <= seed.size(); ++cut) errors += check_all_parsers(seed.substr(0, cut));
    for (std::size_t i = 0; i < seed.size(); ++i) {
      for (char r : replacements) {
        std::string mutated(seed);
        mutated[i] = r;
        errors += check_all_parsers(mutated);
      }
    }
  }
  EXPECT_GT(errors, 500) << "corruption is noticed";
}

}  // namespace
}  // namespace authgate::grammar
