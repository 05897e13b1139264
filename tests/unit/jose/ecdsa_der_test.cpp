#include "jose/ecdsa_der.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::jose::detail {
namespace {

std::vector<unsigned char> bytes(std::initializer_list<int> list) { return {list.begin(), list.end()}; }

std::vector<unsigned char> der_of(const std::vector<unsigned char>& raw) {
  unsigned char out[max_der_signature];
  const std::size_t length = p1363_to_der(raw, out);
  return {out, out + length};
}

struct DerCase {
  const char* name;
  std::vector<unsigned char> raw;
  std::vector<unsigned char> der;
  const char* why;
};

TEST(EcdsaDer, EncodesMinimalIntegers) {
  const DerCase cases[] = {
      {"small values", bytes({0, 1, 0, 2}), bytes({0x30, 6, 2, 1, 1, 2, 1, 2}),
       "leading zeros dropped (X.690 §8.3.2)"},
      {"high bit gets a zero byte", bytes({0x80, 0x01, 0x7f, 0xff}),
       bytes({0x30, 9, 2, 3, 0, 0x80, 0x01, 2, 2, 0x7f, 0xff}), "INTEGER is two's complement"},
      {"r is zero", bytes({0, 0, 0, 1}), {}, "r = 0 is never valid (SEC 1 §4.1.4)"},
      {"s is zero", bytes({0, 1, 0, 0}), {}, "s = 0 is never valid"},
      {"odd length", bytes({1, 2, 3}), {}, "r and s have equal length"},
      {"empty", {}, {}, "no signature"},
  };
  for (const auto& c : cases) EXPECT_EQ(der_of(c.raw), c.der) << c.name << ": " << c.why;
}

TEST(EcdsaDer, UsesLongFormLengthForP521) {
  std::vector<unsigned char> raw(132, 0xff);
  const auto der = der_of(raw);
  ASSERT_EQ(der.size(), 3u + 2 * (2 + 67));
  EXPECT_EQ(der[0], 0x30);
  EXPECT_EQ(der[1], 0x81) << "a body of 138 bytes needs the long form";
  EXPECT_EQ(der[2], 138);
}

TEST(EcdsaDer, RefusesHalvesLongerThanP521) {
  std::vector<unsigned char> raw(134, 1);
  EXPECT_TRUE(der_of(raw).empty());
}

}  // namespace
}  // namespace authgate::jose::detail
