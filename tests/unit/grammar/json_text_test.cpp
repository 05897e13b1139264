#include "grammar/json_text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::grammar {
namespace {

bool is_plain(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

std::string written(std::string_view value) {
  std::string out(json_string_bound(value.size()), '\0');
  char* const end = write_json_string(out.data(), value);
  out.resize(static_cast<std::size_t>(end - out.data()));
  return out;
}

TEST(PlainJsonPrefix, StopsAtEveryByteThatNeedsEscapingWhereverItSitsInAWord) {
  // The prefix is found sixteen bytes at a time (a shorter value padded to a block): each of the 256 byte
  // values at each place in a block, and in the tail after the last whole block (an overlapping load), must
  // stop it exactly when that byte is not copied as it is.
  for (std::size_t length : {1u, 7u, 8u, 9u, 15u, 16u, 17u, 19u, 31u, 32u, 33u, 47u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (unsigned value = 0; value < 256; ++value) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(value);
        const std::size_t expected = is_plain(static_cast<unsigned char>(value)) ? length : at;
        ASSERT_EQ(plain_json_prefix(text), expected)
            << "length " << length << ", byte " << value << " at " << at;
      }
    }
  }
}

TEST(PlainJsonPrefix, SeesABadByteBesideItsNeighbourValues) {
  // The bytes on either side of each class's edge (0x1f/0x20, 0x21/0x22/0x23, 0x5b/0x5c/0x5d,
  // 0x7e/0x7f/0x80).
  const std::vector<std::string> texts = {std::string("\x00\x01\"aaaaa", 8),
                                          std::string("\x1f\x20\\aaaaa", 8), std::string("aaaaaa\x7f\x80", 8),
                                          std::string("\x21\x22\x5b\x5c\x5d\x7e\x7f!", 8)};
  for (const auto& text : texts) {
    std::size_t expected = 0;
    while (expected < text.size() && is_plain(static_cast<unsigned char>(text[expected]))) ++expected;
    EXPECT_EQ(plain_json_prefix(text), expected);
  }
}

TEST(PlainJsonPrefix, FindsTheFirstStopWhenSeveralShareABlock) {
  // The sixteen-byte test reports every stop in a block at once; the prefix ends at the first of them,
  // also when the tail's overlapping load sees stops that an earlier block already passed.
  std::string text(40, 'a');
  text[35] = '"';
  text[38] = '\x01';
  EXPECT_EQ(plain_json_prefix(text), 35u);
  text[20] = '\\';
  EXPECT_EQ(plain_json_prefix(text), 20u);
  std::string overlap(20, 'a');
  overlap[19] = '\x7f';
  EXPECT_EQ(plain_json_prefix(overlap), 19u);
  overlap[17] = '\xc3';
  EXPECT_EQ(plain_json_prefix(overlap), 17u);
}

TEST(PlainJsonPrefix, AgreesWithTheByteTestForEveryPairOfNeighbouringBytes) {
  // No byte's test may depend on its neighbour: every pair of byte values, side by side at every place in
  // a short value (padded to a block) and in a value of a block and a tail (an overlapping load).
  for (const std::size_t length : {8u, 17u}) {
    std::string text(length, 'a');
    for (std::size_t at = 0; at + 1 < text.size(); ++at) {
      for (unsigned first = 0; first < 256; ++first) {
        for (unsigned second = 0; second < 256; ++second) {
          text[at] = static_cast<char>(first);
          text[at + 1] = static_cast<char>(second);
          const std::size_t expected = !is_plain(static_cast<unsigned char>(first))    ? at
                                       : !is_plain(static_cast<unsigned char>(second)) ? at + 1
                                                                                       : text.size();
          ASSERT_EQ(plain_json_prefix(text), expected)
              << "length " << length << ", bytes " << first << ", " << second << " at " << at;
        }
      }
      text[at] = 'a';
      text[at + 1] = 'a';
    }
  }
}

TEST(WriteJsonString, NeverWritesPastItsBoundEvenWhenEveryByteIsEscaped) {
  // The access line is written into a buffer sized by these bounds, with no check per byte.
  const std::vector<std::string> worst = {std::string(64, '\x01'), std::string(64, '\xff'),
                                          std::string(63, '\xc2'), std::string("\xe2\x80\xa8\xe2\x80\xa9")};
  for (const auto& value : worst) {
    std::string out(json_string_bound(value.size()) + 16, '#');
    char* const end = write_json_string(out.data(), value);
    EXPECT_LE(static_cast<std::size_t>(end - out.data()), json_string_bound(value.size()));
    EXPECT_EQ(out.substr(json_string_bound(value.size())), std::string(16, '#'));
  }
  EXPECT_EQ(written(std::string(2, '\x01')), "\"\\u0001\\u0001\"");
  EXPECT_EQ(written(""), "\"\"");
}

}  // namespace
}  // namespace authgate::grammar
