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
  // The prefix is found eight bytes at a time: each of the 256 byte values at each place in a word, and in
  // the tail after the last whole word, must stop it exactly when that byte is not copied as it is.
  for (std::size_t length : {1u, 7u, 8u, 9u, 15u, 16u, 19u}) {
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

TEST(PlainJsonPrefix, SeesABadByteBesideBytesThatBorrowInTheWordTest) {
  // The word tests subtract per byte; a borrow from a byte below must not hide a byte above it.
  const std::vector<std::string> texts = {std::string("\x00\x01\"aaaaa", 8),
                                          std::string("\x1f\x20\\aaaaa", 8), std::string("aaaaaa\x7f\x80", 8),
                                          std::string("\x21\x22\x5b\x5c\x5d\x7e\x7f!", 8)};
  for (const auto& text : texts) {
    std::size_t expected = 0;
    while (expected < text.size() && is_plain(static_cast<unsigned char>(text[expected]))) ++expected;
    EXPECT_EQ(plain_json_prefix(text), expected);
  }
}

TEST(PlainJsonPrefix, AgreesWithTheByteTestForEveryPairOfNeighbouringBytes) {
  // The word test's sums must not carry from one byte into the next: every pair of byte values, side by
  // side at every place in a word.
  std::string text(8, 'a');
  for (std::size_t at = 0; at + 1 < text.size(); ++at) {
    for (unsigned first = 0; first < 256; ++first) {
      for (unsigned second = 0; second < 256; ++second) {
        text[at] = static_cast<char>(first);
        text[at + 1] = static_cast<char>(second);
        const std::size_t expected = !is_plain(static_cast<unsigned char>(first))    ? at
                                     : !is_plain(static_cast<unsigned char>(second)) ? at + 1
                                                                                     : text.size();
        ASSERT_EQ(plain_json_prefix(text), expected) << "bytes " << first << ", " << second << " at " << at;
      }
    }
    text[at] = 'a';
    text[at + 1] = 'a';
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
