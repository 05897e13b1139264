#include "authgate/jose/alg.hpp"

#include <gtest/gtest.h>

namespace authgate::jose {
namespace {

struct AlgCase {
  const char* name;
  std::string_view input;
  std::optional<Alg> expected;
  const char* why;
};

TEST(Alg, ParsesExactlyTheImplementedNames) {
  const AlgCase cases[] = {
      {"rs256", "RS256", Alg::rs256, "RFC 7518 §3.1"},
      {"ps512", "PS512", Alg::ps512, "RFC 7518 §3.1"},
      {"es512", "ES512", Alg::es512, "P-521 with SHA-512"},
      {"eddsa", "EdDSA", Alg::eddsa, "RFC 8037 §3.1"},
      {"hs384", "HS384", Alg::hs384, "RFC 7518 §3.1"},
      {"lower case", "rs256", std::nullopt, "alg values are case-sensitive (RFC 7515 §4.1.1)"},
      {"none", "none", std::nullopt, "unsecured JWS is never an algorithm we verify"},
      {"None", "None", std::nullopt, "nor in any other spelling"},
      {"NONE", "NONE", std::nullopt, "nor in upper case"},
      {"ES521 typo", "ES521", std::nullopt, "a common typo is not an alias"},
      {"ES256K", "ES256K", std::nullopt, "secp256k1 is not implemented"},
      {"empty", "", std::nullopt, "nothing"},
      {"trailing space", "RS256 ", std::nullopt, "no trimming"},
      {"embedded NUL", std::string_view("RS256\0", 6), std::nullopt, "length counts"},
  };
  for (const auto& c : cases) EXPECT_EQ(parse_alg(c.input), c.expected) << c.name << ": " << c.why;
}

TEST(Alg, EveryAlgorithmRoundTripsThroughItsName) {
  for (const Alg alg : all_algs()) EXPECT_EQ(parse_alg(to_string(alg)), alg) << to_string(alg);
  EXPECT_EQ(all_algs().size(), 13u);
}

TEST(Alg, KeyFamiliesNeverCross) {
  EXPECT_TRUE(alg_fits(Alg::rs256, KeyType::rsa));
  EXPECT_TRUE(alg_fits(Alg::ps384, KeyType::rsa));
  EXPECT_TRUE(alg_fits(Alg::es256, KeyType::ec_p256));
  EXPECT_FALSE(alg_fits(Alg::es256, KeyType::ec_p384))
      << "the curve must match the algorithm (RFC 7518 §3.4)";
  EXPECT_FALSE(alg_fits(Alg::es512, KeyType::ec_p384));
  EXPECT_TRUE(alg_fits(Alg::eddsa, KeyType::ed448));
  EXPECT_FALSE(alg_fits(Alg::hs256, KeyType::rsa)) << "an RSA public key is never an HMAC secret";
  EXPECT_FALSE(alg_fits(Alg::hs256, KeyType::ec_p256));
  EXPECT_FALSE(alg_fits(Alg::rs256, KeyType::oct));
  EXPECT_EQ(hash_length(Alg::hs512), 64u);
  EXPECT_EQ(hash_length(Alg::eddsa), 0u);
}

}  // namespace
}  // namespace authgate::jose
