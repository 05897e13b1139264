// SipHash-2-4 against the reference implementation's vectors (key 00..0f, message 00..n-1).
#include "stores/sip_hash.hpp"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace authgate::stores::detail {
namespace {

/// The reference key 00..0f.
SipKey reference_key() {
  SipKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

constexpr std::uint64_t empty_message_hash = 0x726fdb47dd0e0e31;  // vectors_sip64[0]

struct VectorCase {
  std::size_t length;
  std::uint64_t hash;
  const char* why;
};

TEST(SipHash, MatchesTheReferenceVectors) {
  // From vectors_sip64 in the reference test.c; n = 15 is the paper's worked example (Appendix A).
  const std::vector<VectorCase> cases = {
      {0, empty_message_hash, "the empty message is one padding block"},
      {1, 0x74f839c593dc67fd, "a partial last block"},
      {7, 0xab0200f58b01d137, "the longest partial block"},
      {8, 0x93f5f5799a932462, "one whole block, then padding"},
      {15, 0xa129ca6149be45e5, "one whole block and a partial one"},
      {16, 0x3f2acc7f57c29bdb, "two whole blocks"},
  };
  const SipKey key = reference_key();
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

TEST(SipHash, OpenSslProvidesIt) {
  EXPECT_TRUE(sip_hash_available())
      << "the default provider carries SIPHASH; the store refuses to start without it";
}

TEST(SipHash, AnEmptyViewHashesLikeTheEmptyMessage) {
  EXPECT_EQ(sip_hash(reference_key(), std::string_view{}), empty_message_hash)
      << "a default string_view has no data pointer; OpenSSL must not be handed it as input";
}

TEST(SipHash, KeysTakenInTurnOnOneThreadDoNotMix) {
  // One thread hashes for every store it serves, through one OpenSSL context: each call must key it again.
  SipKey other{};
  other[0] = 0xff;
  const std::uint64_t first = sip_hash(reference_key(), "alice");
  const std::uint64_t between = sip_hash(other, "alice");
  EXPECT_NE(first, between);
  EXPECT_EQ(sip_hash(reference_key(), "alice"), first) << "the other key did not stay in the context";
  EXPECT_EQ(sip_hash(reference_key(), ""), empty_message_hash) << "nor did the previous message";
}

TEST(SipHash, EveryThreadComputesTheSameHash) {
  // Each thread has its own context; a shard must not depend on which worker thread asked.
  std::uint64_t elsewhere = 0;
  std::thread worker([&] { elsewhere = sip_hash(reference_key(), ""); });
  worker.join();
  EXPECT_EQ(elsewhere, empty_message_hash);
}

}  // namespace
}  // namespace authgate::stores::detail
