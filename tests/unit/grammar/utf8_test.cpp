// first_invalid_utf8(): RFC 3629 well-formedness, where the first bad byte is.
#include "grammar/utf8.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace authgate::grammar {
namespace {

struct Utf8Case {
  std::string name;
  std::string bytes;
  std::optional<std::size_t> first_invalid;
};

class FirstInvalidUtf8Test : public ::testing::TestWithParam<Utf8Case> {};
TEST_P(FirstInvalidUtf8Test, FindsTheFirstByteThatStartsNoWellFormedSequence) {
  EXPECT_EQ(first_invalid_utf8(GetParam().bytes), GetParam().first_invalid);
}
INSTANTIATE_TEST_SUITE_P(
    Table, FirstInvalidUtf8Test,
    ::testing::Values(
        Utf8Case{"EmptyIsUtf8", "", std::nullopt}, Utf8Case{"AsciiIsUtf8", "<p>hello</p>\n", std::nullopt},
        Utf8Case{"TwoThreeAndFourByteForms", "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x94\x91", std::nullopt},
        Utf8Case{"Latin1ByteIsNot", "caf\xe9!", 3}, Utf8Case{"ALoneContinuationByte", "a\x80", 1},
        Utf8Case{"OverlongSlash", "/\xc0\xaf", 1}, Utf8Case{"OverlongThreeByteNul", "\xe0\x80\x80", 0},
        Utf8Case{"SurrogateHalf", "x\xed\xa0\x80", 1}, Utf8Case{"AboveU10FFFF", "\xf4\x90\x80\x80", 0},
        Utf8Case{"TruncatedAtTheEnd", "ok\xe2\x80", 2}, Utf8Case{"Fe-FfNeverAppear", "\xff\xfe", 0},
        Utf8Case{"NulIsWellFormed", std::string("a\0b", 3), std::nullopt}),
    [](const auto& p) {
      std::string name = p.param.name;
      for (char& c : name) c = (c == '-') ? '_' : c;
      return name;
    });

}  // namespace
}  // namespace authgate::grammar
