// The shared ASCII helpers, byte by byte.
#include "authgate/grammar/ascii.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::grammar {
namespace {

bool is_upper(unsigned c) { return c >= 'A' && c <= 'Z'; }

TEST(AsciiIequals, FoldsExactlyTheTwentySixLettersForEveryPairOfBytes) {
  // iequals takes a shortcut (bytes that differ only in bit 0x20 and fold to a letter); it must agree
  // with folding both bytes for all 65,536 pairs, at the start, middle and end of a value.
  for (unsigned x = 0; x < 256; ++x) {
    for (unsigned y = 0; y < 256; ++y) {
      const unsigned fold_x = is_upper(x) ? x + 32 : x;
      const unsigned fold_y = is_upper(y) ? y + 32 : y;
      const bool expected = fold_x == fold_y;
      for (const std::size_t at : {0u, 3u, 6u}) {
        std::string a = "Bearer!";
        std::string b = "bEARER!";
        a[at] = static_cast<char>(x);
        b[at] = static_cast<char>(y);
        ASSERT_EQ(iequals(a, b), expected) << "bytes " << x << " and " << y << " at " << at;
      }
    }
  }
}

TEST(AsciiIequals, ComparesLengthsFirstAndIsUsableAtCompileTime) {
  static_assert(iequals("Keep-Alive", "keep-alive"));
  static_assert(!iequals("close", "closed"));
  static_assert(iequals("", ""));
  EXPECT_FALSE(iequals("text/html", "text/htm"));
  EXPECT_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // é and É: not ASCII, never folded
  EXPECT_FALSE(iequals("@", "`"));                // 0x40 and 0x60 differ in bit 0x20 but are not letters
  EXPECT_FALSE(iequals("[", "{"));
}

}  // namespace
}  // namespace authgate::grammar
