// The constant-time equality: every length a tail is handled for, one differing byte anywhere, lengths.
#include "authgate/stores/same_bytes.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::stores {
namespace {

TEST(SameBytes, EqualBytesOfEveryLengthAreEqual) {
  // Lengths below a word, between a word and a block, and above: every tail the comparison handles.
  for (std::size_t n = 0; n <= 80; ++n) {
    std::string a(n, '\0');
    for (std::size_t i = 0; i < n; ++i) a[i] = static_cast<char>('!' + (i * 7) % 90);
    const std::string b = a;  // another buffer
    EXPECT_TRUE(same_bytes(a, b)) << "length " << n;
  }
}

TEST(SameBytes, OneDifferentByteAnywhereMakesThemDiffer) {
  for (std::size_t n = 1; n <= 80; ++n) {
    const std::string a(n, 'a');
    for (std::size_t i = 0; i < n; ++i) {
      for (const char c : {'b', '\0', '\x80', '\xff'}) {
        std::string b = a;
        b[i] = c;
        EXPECT_FALSE(same_bytes(a, b)) << "length " << n << ", byte " << i;
      }
    }
  }
}

TEST(SameBytes, DifferentLengthsDiffer) {
  EXPECT_FALSE(same_bytes("Basic YWxpY2U6cGFzcw==",
                          "Basic YWxpY2U6cGFzcw=="
                          "x"));
  EXPECT_FALSE(same_bytes("Basic YWxpY2U6cGFzcw==", "Basic YWxpY2U6cGFzcw="));
  EXPECT_FALSE(same_bytes("", "a"));
  EXPECT_TRUE(same_bytes("", ""));
  EXPECT_TRUE(same_bytes({}, ""));
}

}  // namespace
}  // namespace authgate::stores
