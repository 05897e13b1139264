// find_excessive_nesting(): bounds YAML nesting before yaml-cpp recurses, without refusing real configs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/nesting_guard.hpp"

namespace authgate::config {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

std::string indented_keys(int levels) {
  std::string out;
  for (int i = 0; i < levels; ++i) out += std::string(static_cast<std::size_t>(i), ' ') + "k:\n";
  return out;
}

struct Case {
  std::string name;
  std::string text;
  bool refused;
  std::string why;
};

std::vector<Case> cases() {
  return {
      {"FlatMapIsFine", "a: 1\nb: 2\n", false, "depth 1"},
      {"SixtyThreeFlowLevelsAreFine", repeat("[", 63) + repeat("]", 63), false, "within the limit"},
      {"SixtyFiveFlowLevelsAreRefused", repeat("[", 65) + repeat("]", 65), true, "beyond the limit"},
      {"MixedFlowBracketsCount", repeat("{a: [", 40) + repeat("]}", 40), true, "maps and lists both nest"},
      {"SixtyIndentLevelsAreFine", indented_keys(60), false, "deep but allowed"},
      {"EightyIndentLevelsAreRefused", indented_keys(80), true, "block nesting"},
      {"CompactSequencesCount", repeat("- ", 70) + "x\n", true, "'- - - x' nests on one line"},
      {"CompactSequencesThenIndentationCount",
       repeat("- ", 40) + "\n" + std::string(80, ' ') + repeat("- ", 30) + "x\n", true,
       "the next line continues inside the innermost entry"},
      {"BracketsInDoubleQuotesDoNotCount", "a: \"" + repeat("[", 100) + "\"\n", false, "text, not structure"},
      {"BracketsInSingleQuotesDoNotCount", "a: '" + repeat("{", 100) + "'\n", false, "text, not structure"},
      {"BracketsInCommentsDoNotCount", "a: 1 # " + repeat("[", 100) + "\n", false,
       "comments are not structure"},
      {"BracketsInsidePlainScalarsDoNotCount", "path: /a" + repeat("[", 100) + "\n", false,
       "a '[' inside a plain scalar is text"},
      {"BlockScalarContentDoesNotCount", "a: |\n" + repeat("  [[[[[[[[[[[[[[[[[[[[\n", 10) + "b: 1\n", false,
       "block scalars are text"},
      {"ApostropheInAPlainScalarOpensNoQuote", "a: it's\n" + repeat("[", 70) + repeat("]", 70) + "\n", true,
       "a stray quote must not hide what follows"},
      {"EscapedQuoteDoesNotEndTheString", "a: \"x\\\"" + repeat("[", 70) + "\"\n", false,
       "still inside the string"},
      {"UnbalancedClosersDoNotLowerTheCount", repeat("]", 100) + "\n" + repeat("[", 70), true,
       "a closer without an opener is ignored"},
      {"CarriageReturnLineEndsAreLines", indented_keys(10) + "\r\n", false, "CRLF files"},
  };
}

class NestingGuardTest : public ::testing::TestWithParam<Case> {};

TEST_P(NestingGuardTest, RefusesOnlyDeepNesting) {
  const auto& c = GetParam();
  EXPECT_EQ(find_excessive_nesting(c.text, 64).has_value(), c.refused) << c.why;
}

INSTANTIATE_TEST_SUITE_P(Texts, NestingGuardTest, ::testing::ValuesIn(cases()),
                         [](const auto& p) { return p.param.name; });

TEST(NestingGuardPositionTest, PointsAtTheFirstLevelTooDeep) {
  const auto pos = find_excessive_nesting("a: 1\nb: " + repeat("[", 70), 64);
  ASSERT_TRUE(pos.has_value());
  EXPECT_EQ(pos->line, 2);
  EXPECT_EQ(pos->column, 4 + 63);  // "b: " then the 64th '[' (the line itself is the first level)
}

}  // namespace
}  // namespace authgate::config
