// SipHash-2-4 against the reference implementation's vectors (key 00..0f, message 00..n-1).
#include "stores/sip_hash.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::stores::detail {
namespace {

struct VectorCase {
  std::size_t length;
  std::uint64_t hash;
  const char* why;
};

TEST(SipHash, MatchesTheReferenceVectors) {
  // From vectors_sip64 in the reference test.c; n = 15 is the paper's worked example (Appendix A).
  const std::vector<VectorCase> cases = {
      {0, 0x726fdb47dd0e0e31, "the empty message is one padding block"},
      {1, 0x74f839c593dc67fd, "a partial last block"},
      {7, 0xab0200f58b01d137, "the longest partial block"},
      {8, 0x93f5f5799a932462, "one whole block, then padding"},
      {15, 0xa129ca6149be45e5, "one whole block and a partial one"},
      {16, 0x3f2acc7f57c29bdb, "two whole blocks"},
  };
  SipKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  std::string message;
  for (int i = 0; i < 16; ++i) message += static_cast<char>(i);
  for (const auto& c : cases) {
    EXPECT_EQ(sip_hash(key, std::string_view(message).substr(0, c.length)), c.hash) << c.why;
  }
}

TEST(SipHash, AnotherKeyGivesAnotherHash) {
  SipKey a{};
  SipKey b{};
  b[15] = 1;
  EXPECT_NE(sip_hash(a, "alice"), sip_hash(b, "alice")) << "without the key, where a name lands is unknown";
}

}  // namespace
}  // namespace authgate::stores::detail
