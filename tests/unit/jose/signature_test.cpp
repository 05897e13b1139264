#include "authgate/jose/signature.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "jose_signer.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

using test::test_keys;

struct SignCase {
  Alg alg;
  EVP_PKEY* signer;
};

std::vector<SignCase> asymmetric_cases() {
  const auto& k = test_keys();
  return {{Alg::rs256, k.rsa.get()},     {Alg::rs384, k.rsa.get()},  {Alg::rs512, k.rsa.get()},
          {Alg::ps256, k.rsa.get()},     {Alg::ps384, k.rsa.get()},  {Alg::ps512, k.rsa.get()},
          {Alg::es256, k.p256.get()},    {Alg::es384, k.p384.get()}, {Alg::es512, k.p521.get()},
          {Alg::eddsa, k.ed25519.get()}, {Alg::eddsa, k.ed448.get()}};
}

TEST(Signature, EveryAsymmetricAlgorithmVerifiesItsOwnSignatureAndNothingElse) {
  const std::string input = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0";
  for (const auto& c : asymmetric_cases()) {
    const auto key = test::jwk_key(test::public_jwk(c.signer));
    const std::string sig = test::sign_bytes(c.signer, c.alg, input);
    EXPECT_TRUE(verify_signature(c.alg, *key, input, sig)) << to_string(c.alg);
    EXPECT_FALSE(verify_signature(c.alg, *key, input + "x", sig)) << to_string(c.alg) << ": other message";
    std::string flipped = sig;
    flipped[flipped.size() / 2] ^= 0x01;
    EXPECT_FALSE(verify_signature(c.alg, *key, input, flipped)) << to_string(c.alg) << ": flipped bit";
    EXPECT_FALSE(verify_signature(c.alg, *key, input, "")) << to_string(c.alg) << ": empty signature";
    EXPECT_FALSE(verify_signature(c.alg, *key, input, sig + '\0')) << to_string(c.alg) << ": one byte more";
    EXPECT_FALSE(verify_signature(c.alg, *key, input, sig.substr(1)))
        << to_string(c.alg) << ": one byte less";
  }
}

TEST(Signature, RsaPaddingsDoNotCross) {
  const auto key = test::jwk_key(test::public_jwk(test_keys().rsa.get()));
  const std::string input = "a.b";
  EXPECT_FALSE(
      verify_signature(Alg::ps256, *key, input, test::sign_bytes(test_keys().rsa.get(), Alg::rs256, input)));
  EXPECT_FALSE(
      verify_signature(Alg::rs256, *key, input, test::sign_bytes(test_keys().rsa.get(), Alg::ps256, input)));
  EXPECT_FALSE(
      verify_signature(Alg::rs384, *key, input, test::sign_bytes(test_keys().rsa.get(), Alg::rs256, input)));
}

TEST(Signature, EcdsaRefusesDerEncodedSignatures) {
  // RFC 7518 §3.4: JWS ECDSA signatures are raw r‖s. A DER signature that OpenSSL itself would accept
  // must be refused, or two encodings of one signature would verify.
  const auto key = test::jwk_key(test::public_jwk(test_keys().p256.get()));
  const std::string input = "a.b";
  const std::string der = test::sign_bytes(test_keys().p256.get(), Alg::es256, input, /*der=*/true);
  EXPECT_FALSE(verify_signature(Alg::es256, *key, input, der));
  EXPECT_TRUE(verify_signature(Alg::es256, *key, input, test::der_to_raw(der, 32)));
}

TEST(Signature, EcdsaRefusesTheWrongCurvesAlgorithm) {
  const auto key = test::jwk_key(test::public_jwk(test_keys().p384.get()));
  const std::string input = "a.b";
  const std::string sig = test::sign_bytes(test_keys().p384.get(), Alg::es384, input);
  EXPECT_TRUE(verify_signature(Alg::es384, *key, input, sig));
  EXPECT_FALSE(verify_signature(Alg::es256, *key, input, sig)) << "RFC 7518 §3.4: ES256 means P-256";
  EXPECT_FALSE(verify_signature(Alg::es512, *key, input, sig));
}

TEST(Signature, EcdsaRefusesZeroAndOutOfRangeHalves) {
  const auto key = test::jwk_key(test::public_jwk(test_keys().p256.get()));
  const std::string order = test::unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
  const std::string one = std::string(31, '\0') + '\x01';
  const std::string zero(32, '\0');
  for (const auto& sig : {zero + one, one + zero, zero + zero, order + one, one + order}) {
    EXPECT_FALSE(verify_signature(Alg::es256, *key, "a.b", sig));
  }
}

TEST(Signature, HmacNeedsTheFullTagAndAKeyAsLongAsTheHash) {
  const std::string secret(64, 's');
  const auto key = test::jwk_key(R"({"kty":"oct","k":")" + test::b64(secret) + "\"}");
  const std::string input = "a.b";
  for (const Alg alg : {Alg::hs256, Alg::hs384, Alg::hs512}) {
    const std::string tag = test::hmac_bytes(secret, alg, input);
    EXPECT_TRUE(verify_signature(alg, *key, input, tag)) << to_string(alg);
    EXPECT_FALSE(verify_signature(alg, *key, input, tag.substr(0, tag.size() / 2))) << "truncated tag";
    EXPECT_FALSE(verify_signature(alg, *key, input, tag + "x")) << "longer tag";
  }
  const auto short_key = test::jwk_key(R"({"kty":"oct","k":")" + test::b64(std::string(40, 's')) + "\"}");
  EXPECT_FALSE(verify_signature(Alg::hs512, *short_key, input,
                                test::hmac_bytes(std::string(40, 's'), Alg::hs512, input)))
      << "RFC 7518 §3.2: a 40-byte key is too short for HS512";
}

TEST(Signature, PublicKeysAreNeverHmacSecrets) {
  // The classic confusion: an RS256 verifier handed an HS256 token MACed with its own public key bytes.
  const std::string pem = test::public_pem(test_keys().rsa.get());
  const auto key = test::jwk_key(test::public_jwk(test_keys().rsa.get()));
  const std::string input = "a.b";
  EXPECT_FALSE(verify_signature(Alg::hs256, *key, input, test::hmac_bytes(pem, Alg::hs256, input)));
}

TEST(Signature, PreparedContextsAreSharedSafelyBetweenThreads) {
  // Every Key keeps one context per usable algorithm that verifications duplicate concurrently.
  const std::string input = "a.b";
  const auto rsa = test::jwk_key(test::public_jwk(test_keys().rsa.get()));
  const auto ec = test::jwk_key(test::public_jwk(test_keys().p256.get()));
  const auto ed = test::jwk_key(test::public_jwk(test_keys().ed25519.get()));
  const std::string secret(32, 's');
  const auto mac = test::jwk_key(R"({"kty":"oct","k":")" + test::b64(secret) + "\"}");
  ASSERT_NE(rsa->verify_template(Alg::ps256), nullptr);
  ASSERT_NE(mac->mac_template(Alg::hs256), nullptr);
  EXPECT_EQ(mac->mac_template(Alg::hs384), nullptr) << "a 32-byte secret is not usable for HS384";
  const std::string rsa_sig = test::sign_bytes(test_keys().rsa.get(), Alg::ps256, input);
  const std::string ec_sig = test::sign_bytes(test_keys().p256.get(), Alg::es256, input);
  const std::string ed_sig = test::sign_bytes(test_keys().ed25519.get(), Alg::eddsa, input);
  const std::string tag = test::hmac_bytes(secret, Alg::hs256, input);
  std::atomic<int> failures{0};
  const auto work = [&] {
    for (int i = 0; i < 50; ++i) {
      failures += !verify_signature(Alg::ps256, *rsa, input, rsa_sig);
      failures += !verify_signature(Alg::es256, *ec, input, ec_sig);
      failures += !verify_signature(Alg::eddsa, *ed, input, ed_sig);
      failures += !verify_signature(Alg::hs256, *mac, input, tag);
      failures += verify_signature(Alg::hs256, *mac, input + "x", tag);
    }
  };
  std::thread a(work), b(work), c(work);
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(failures.load(), 0);
}

}  // namespace
}  // namespace authgate::jose
