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
      // A longer value: every place, to its last byte.
      for (const std::size_t at : {0u, 5u, 7u, 8u, 9u, 11u}) {
        std::string a = "Keep-Alive-X";
        std::string b = "kEEP-aLIVE-x";
        a[at] = static_cast<char>(x);
        b[at] = static_cast<char>(y);
        ASSERT_EQ(iequals(a, b), expected) << "bytes " << x << " and " << y << " at " << at << " of 12";
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
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_FALSE(iequals("content-lengtha", "content-length@"));        // in the overlapping last word
  EXPECT_FALSE(iequals("content-length\xc1", "content-length\xe1"));  // 0xc1/0xe1 differ in 0x20, not letters
  EXPECT_TRUE(iequals("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"));
  EXPECT_FALSE(iequals("@[`{@[`{", "`{@[`{@["));  // the bytes beside 'A'..'Z' and 'a'..'z' never fold
}

}  // namespace
}  // namespace authgate::grammar
