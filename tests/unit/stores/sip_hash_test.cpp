// SipHash-2-4 against the reference implementation's vectors (key 00..0f, message 00..n-1) and against
// OpenSSL's EVP_MAC "SIPHASH", which it replaced on the request path (sip_hash.hpp says why).
#include "stores/sip_hash.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace authgate::stores::detail {
namespace {

/// The reference key 00..0f.
SipKey reference_key() {
  SipKey key{};
  for (std::size_t i = 0; i < key.size(); ++i) key[i] = static_cast<std::uint8_t>(i);
  return key;
}

/// The reference message 00..n-1.
std::string reference_message(std::size_t length) {
  std::string message;
  for (std::size_t i = 0; i < length; ++i) message += static_cast<char>(i);
  return message;
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
  const std::string message = reference_message(16);
  for (const auto& c : cases) {
    EXPECT_EQ(sip_hash(reference_key(), std::string_view(message).substr(0, c.length)), c.hash) << c.why;
  }
}

TEST(SipHash, The128BitOutputMatchesTheReferenceVector) {
  // vectors_sip128[0]: key 00..0f, the empty message.
  SipHash24 hash(reference_key(), SipHash24::Output::bits128);
  const std::array<std::uint8_t, 16> expected = {0xa3, 0x81, 0x7f, 0x04, 0xba, 0x25, 0xa8, 0xe6,
                                                 0x6d, 0xf6, 0x72, 0x14, 0xc7, 0x55, 0x02, 0x93};
  EXPECT_EQ(hash.finish128(), expected);
}

/// OpenSSL's SipHash-2-4 of `message` with an output of `size` bytes (8 or 16): the oracle.
std::vector<std::uint8_t> openssl_sip_hash(const SipKey& key, std::string_view message, std::size_t size) {
  const std::unique_ptr<EVP_MAC, decltype(&EVP_MAC_free)> mac(EVP_MAC_fetch(nullptr, "SIPHASH", nullptr),
                                                              &EVP_MAC_free);
  const std::unique_ptr<EVP_MAC_CTX, decltype(&EVP_MAC_CTX_free)> ctx(EVP_MAC_CTX_new(mac.get()),
                                                                      &EVP_MAC_CTX_free);
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size), OSSL_PARAM_END};
  std::vector<std::uint8_t> out(size);
  std::size_t written = 0;
  const bool ok = ctx && EVP_MAC_init(ctx.get(), key.data(), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(message.data()),
                                 message.size()) == 1 &&
                  EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) == 1 && written == size;
  EXPECT_TRUE(ok) << "OpenSSL's default provider carries SIPHASH";
  return out;
}

std::vector<std::uint8_t> as_bytes(std::uint64_t word) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>(word >> (8 * i)));
  return bytes;
}

std::vector<std::uint8_t> ours_128(const SipKey& key, std::initializer_list<std::string_view> pieces) {
  SipHash24 hash(key, SipHash24::Output::bits128);
  for (const auto piece : pieces) hash.update(piece);
  const auto out = hash.finish128();
  return {out.begin(), out.end()};
}

std::vector<std::uint8_t> ours_64(const SipKey& key, std::initializer_list<std::string_view> pieces) {
  SipHash24 hash(key, SipHash24::Output::bits64);
  for (const auto piece : pieces) hash.update(piece);
  return as_bytes(hash.finish64());
}

SipKey random_key(std::mt19937_64& random) {
  SipKey key{};
  for (auto& byte : key) byte = static_cast<std::uint8_t>(random());
  return key;
}

std::string random_message(std::mt19937_64& random, std::size_t length) {
  std::string message(length, '\0');
  for (auto& c : message) c = static_cast<char>(random());
  return message;
}

TEST(SipHash, AgreesWithOpenSslForEveryLengthTo300) {
  std::mt19937_64 random(19);
  for (std::size_t length = 0; length <= 300; ++length) {
    const SipKey key = random_key(random);
    const std::string message = random_message(random, length);
    // The length mod 256 enters the last block: 256 and more is where a wrong width would show.
    ASSERT_EQ(ours_64(key, {message}), openssl_sip_hash(key, message, 8)) << "length " << length;
    ASSERT_EQ(ours_128(key, {message}), openssl_sip_hash(key, message, 16)) << "length " << length;
  }
}

TEST(SipHash, EverySplitIntoThreePiecesHashesLikeTheWhole) {
  // The cache key is fed in pieces (length, space parts, credentials); a word may span any of them.
  std::mt19937_64 random(7);
  for (std::size_t length = 0; length <= 40; ++length) {
    const SipKey key = random_key(random);
    const std::string message = random_message(random, length);
    const auto whole = openssl_sip_hash(key, message, 16);
    const std::string_view view = message;
    for (std::size_t i = 0; i <= length; ++i) {
      for (std::size_t j = i; j <= length; ++j) {
        ASSERT_EQ(ours_128(key, {view.substr(0, i), view.substr(i, j - i), view.substr(j)}), whole)
            << "length " << length << " split at " << i << " and " << j;
      }
    }
  }
}

TEST(SipHash, ManySmallPiecesOfALongMessageHashLikeTheWhole) {
  std::mt19937_64 random(3);
  const SipKey key = random_key(random);
  const std::string message = random_message(random, 1000);
  const auto whole = openssl_sip_hash(key, message, 8);
  for (std::size_t piece = 1; piece <= 17; ++piece) {
    SipHash24 hash(key, SipHash24::Output::bits64);
    for (std::size_t at = 0; at < message.size(); at += piece) {
      hash.update(std::string_view(message).substr(at, piece));
    }
    EXPECT_EQ(as_bytes(hash.finish64()), whole) << "pieces of " << piece;
  }
}

TEST(SipHash, AnotherKeyGivesAnotherHash) {
  SipKey a{};
  SipKey b{};
  b[15] = 1;
  EXPECT_NE(sip_hash(a, "alice"), sip_hash(b, "alice")) << "without the key, where a name lands is unknown";
}

TEST(SipHash, AnEmptyViewHashesLikeTheEmptyMessage) {
  EXPECT_EQ(sip_hash(reference_key(), std::string_view{}), empty_message_hash)
      << "a default string_view has no data pointer: nothing may be read through it";
  EXPECT_EQ(ours_64(reference_key(), {std::string_view{}, std::string_view{}}), as_bytes(empty_message_hash));
}

}  // namespace
}  // namespace authgate::stores::detail
