#include "authgate/jose/jwk.hpp"

#include <gtest/gtest.h>

#include "authgate/grammar/base64.hpp"
#include "jose/key_checks.hpp"
#include "jose/ossl.hpp"
#include "jose_signer.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

using test::public_jwk;
using test::test_keys;

struct JwkCase {
  const char* name;
  std::string input;
  std::optional<KeyErrc> expected;  // nullopt = loads
  const char* why;
};

std::string rsa_jwk(std::string_view extra = {}) { return public_jwk(test_keys().rsa.get(), "r1", extra); }
std::string ec_jwk(std::string_view extra = {}) { return public_jwk(test_keys().p256.get(), "e1", extra); }

// Replaces the first occurrence of `from` in `text`.
std::string with(std::string text, std::string_view from, std::string_view to) {
  const auto at = text.find(from);
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(Jwk, LoadsPublicKeysAndRefusesEverythingElse) {
  const std::string x25519 =
      R"({"kty":"OKP","crv":"X25519","x":"hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo"})";
  const JwkCase cases[] = {
      {"RSA", rsa_jwk(), std::nullopt, "RFC 7518 §6.3.1"},
      {"EC P-256", ec_jwk(), std::nullopt, "RFC 7518 §6.2.1"},
      {"EC P-384", public_jwk(test_keys().p384.get()), std::nullopt, "RFC 7518 §6.2.1"},
      {"EC P-521", public_jwk(test_keys().p521.get()), std::nullopt, "coordinates are 66 bytes"},
      {"Ed25519", public_jwk(test_keys().ed25519.get()), std::nullopt, "RFC 8037 §2"},
      {"Ed448", public_jwk(test_keys().ed448.get()), std::nullopt, "RFC 8037 §2"},
      {"oct", R"({"kty":"oct","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"})", std::nullopt,
       "HMAC secret"},
      {"use sig", rsa_jwk(R"(,"use":"sig")"), std::nullopt, "RFC 7517 §4.2"},
      {"key_ops verify", rsa_jwk(R"(,"key_ops":["sign","verify"])"), std::nullopt, "RFC 7517 §4.3"},
      {"alg fits", rsa_jwk(R"(,"alg":"PS256")"), std::nullopt, "RFC 7517 §4.4"},
      {"unknown extra members", rsa_jwk(R"(,"x5t":"abc","foo":{"bar":1})"), std::nullopt,
       "RFC 7517 §4: ignored"},
      {"use enc", rsa_jwk(R"(,"use":"enc")"), KeyErrc::not_for_signing,
       "an encryption key never verifies a JWS"},
      {"key_ops encrypt", ec_jwk(R"(,"key_ops":["encrypt"])"), KeyErrc::not_for_signing,
       "key_ops lacks verify"},
      {"key_ops not array", ec_jwk(R"(,"key_ops":"verify")"), KeyErrc::bad_member, "RFC 7517 §4.3 array"},
      {"alg RSA-OAEP", rsa_jwk(R"(,"alg":"RSA-OAEP")"), KeyErrc::unsupported_alg, "an encryption algorithm"},
      {"alg ES384 on P-256", ec_jwk(R"(,"alg":"ES384")"), KeyErrc::unsupported_alg, "curve must match alg"},
      {"alg HS256 on RSA", rsa_jwk(R"(,"alg":"HS256")"), KeyErrc::unsupported_alg, "family must match"},
      {"alg ES521 typo", ec_jwk(R"(,"alg":"ES521")"), KeyErrc::unsupported_alg, "no aliases"},
      {"private d", ec_jwk(R"(,"d":"AAAA")"), KeyErrc::private_key, "published private keys are refused"},
      {"private p", rsa_jwk(R"(,"p":"AAAA")"), KeyErrc::private_key, "any private member"},
      {"no kty", R"({"n":"AQAB","e":"AQAB"})", KeyErrc::missing_member, "RFC 7517 §4.1 kty is required"},
      {"kty number", R"({"kty":1})", KeyErrc::bad_member, "kty is a string"},
      {"kty unknown", R"({"kty":"DSA"})", KeyErrc::unsupported_kty, "RSA, EC, OKP, oct only"},
      {"RSA without e", with(rsa_jwk(), "\"e\":", "\"E\":"), KeyErrc::missing_member, "n and e are required"},
      {"RSA n padded base64", with(rsa_jwk(), "\",\"e\"", "=\",\"e\""), KeyErrc::bad_member,
       "base64url has no padding"},
      {"RSA e = 1", with(rsa_jwk(), "\"e\":\"AQAB\"", "\"e\":\"AQ\""), KeyErrc::weak_key,
       "e = 1 signs nothing"},
      {"RSA e even", with(rsa_jwk(), "\"e\":\"AQAB\"", "\"e\":\"AQAA\""), KeyErrc::weak_key, "RFC 8017 §3.1"},
      {"RSA 1024 bits", public_jwk(test::generate_key("RSA", nullptr, 1024).get()), KeyErrc::weak_key,
       "RFC 7518 §3.3: 2048 bits or larger MUST be used"},
      {"EC short x", with(ec_jwk(), "\"x\":\"", "\"x\":\"AA"), KeyErrc::bad_member,
       "coordinates are full length"},
      {"EC wrong curve name", with(ec_jwk(), "P-256", "P-384"), KeyErrc::bad_member,
       "lengths fit P-256 only"},
      {"EC secp256k1", with(ec_jwk(), "P-256", "secp256k1"), KeyErrc::unsupported_curve,
       "ES256K not implemented"},
      {"OKP X25519", x25519, KeyErrc::unsupported_curve, "a key-agreement key is not a signature key"},
      {"oct empty", R"({"kty":"oct","k":""})", KeyErrc::weak_key, "an empty secret"},
      {"oct alg A256GCM", R"({"kty":"oct","k":"AAAA","alg":"A256GCM"})", KeyErrc::unsupported_alg,
       "not HMAC"},
      {"not an object", R"(["kty"])", KeyErrc::unparseable, "a JWK is an object"},
      {"duplicate members", R"({"kty":"oct","k":"AAAA","k":"BBBB"})", KeyErrc::unparseable, "ambiguous"},
      {"kid not a string", public_jwk(test_keys().rsa.get(), "", R"(,"kid":1)"), KeyErrc::bad_member,
       "RFC 7517 §4.5: kid is a string"},
  };
  for (const auto& c : cases) {
    const KeyResult key = key_from_jwk(c.input);
    if (c.expected) {
      ASSERT_FALSE(key) << c.name << ": " << c.why;
      EXPECT_EQ(key.error().code, *c.expected) << c.name << ": " << key.error().message();
    } else {
      EXPECT_TRUE(key) << c.name << ": " << (key ? "" : key.error().message());
    }
  }
}

TEST(Jwk, RefusesAPointNotOnTheCurve) {
  // Flip the lowest bit of y: for a given x only y and p - y are on P-256, and both are odd/even apart.
  auto object = boost::json::parse(ec_jwk()).as_object();
  auto y = grammar::decode_base64url(std::string_view(object["y"].as_string().c_str()));
  ASSERT_TRUE(y);
  y->back() ^= 0x01;
  object["y"] = grammar::encode_base64url(*y);
  const KeyResult key = key_from_jwk(test::text(object));
  ASSERT_FALSE(key);
  EXPECT_EQ(key.error().code, KeyErrc::invalid_key) << key.error().message();
}

TEST(Jwk, ComputesTheRfc7638Thumbprint) {
  const std::string jwk = test::read_text(test::vectors_path("latchset-jose/vectors/rfc7638_3.1.jwk"));
  std::string expected = test::read_text(test::vectors_path("latchset-jose/vectors/rfc7638_3.1.thp"));
  while (!expected.empty() && (expected.back() == '\n' || expected.back() == '\r')) expected.pop_back();
  const KeyResult key = key_from_jwk(jwk);
  ASSERT_TRUE(key) << key.error().message();
  EXPECT_EQ((*key)->thumbprint(), expected);
  EXPECT_EQ((*key)->kid(), "2011-04-29");
  EXPECT_EQ((*key)->alg(), Alg::rs256);
}

TEST(Jwk, GivesPemAndJwkFormsOfOneKeyTheSameThumbprint) {
  for (EVP_PKEY* pkey : {test_keys().rsa.get(), test_keys().p384.get(), test_keys().ed25519.get()}) {
    const KeyResult from_jwk = key_from_jwk(public_jwk(pkey));
    const KeyResult from_pem = key_from_pem(test::public_pem(pkey));
    ASSERT_TRUE(from_jwk && from_pem);
    EXPECT_EQ((*from_jwk)->thumbprint(), (*from_pem)->thumbprint());
    EXPECT_EQ((*from_jwk)->type(), (*from_pem)->type());
    EXPECT_FALSE((*from_jwk)->thumbprint().empty());
  }
}

TEST(Jwk, LoadsPemPublicKeysOnly) {
  EXPECT_TRUE(key_from_pem(test::public_pem(test_keys().p521.get()), "k", Alg::es512));
  const KeyResult wrong_alg = key_from_pem(test::public_pem(test_keys().p521.get()), "k", Alg::es256);
  ASSERT_FALSE(wrong_alg);
  EXPECT_EQ(wrong_alg.error().code, KeyErrc::unsupported_alg);
  const KeyResult garbage = key_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, KeyErrc::unparseable);
  EXPECT_FALSE(key_from_pem(std::string(70000, 'A'))) << "oversized input";
}

TEST(Jwk, HmacSecretsShorterThanTheHashNeverVerifyThatAlgorithm) {
  const KeyResult key = key_from_secret(std::string(40, 'k'));
  ASSERT_TRUE(key);
  EXPECT_TRUE((*key)->usable_for(Alg::hs256)) << "40 bytes ≥ 32";
  EXPECT_FALSE((*key)->usable_for(Alg::hs384)) << "RFC 7518 §3.2: key ≥ hash output MUST";
  EXPECT_FALSE((*key)->usable_for(Alg::rs256));
  EXPECT_TRUE((*key)->thumbprint().empty()) << "a thumbprint of a secret would be a hash of it";
  EXPECT_FALSE(key_from_secret(""));
  EXPECT_FALSE(key_from_secret("secret", "", Alg::es256));
}

TEST(Jwk, KeyAlgRestrictsTheKeyToThatAlgorithm) {
  const auto key = test::jwk_key(rsa_jwk(R"(,"alg":"PS256")"));
  EXPECT_TRUE(key->usable_for(Alg::ps256));
  EXPECT_FALSE(key->usable_for(Alg::rs256)) << "RFC 7517 §4.4";
  EXPECT_FALSE(key->usable_for(Alg::ps384));
}

TEST(Jwk, DetectsTheRocaFingerprint) {
  // The Wycheproof ROCA key (json_web_key_test.json, jws_rsa_roca_key) and fresh OpenSSL keys.
  const auto vectors =
      test::read_json(test::vectors_path("wycheproof/testvectors_v1/json_web_key_test.json"));
  bool seen = false;
  for (const auto& group : vectors.at("testGroups").as_array()) {
    if (group.at("comment") != "jws_rsa_roca_key") continue;
    const auto jwk = test::public_only(group.at("public").at("keys").at(0).as_object());
    const KeyResult key = key_from_jwk(test::text(jwk));
    ASSERT_FALSE(key);
    EXPECT_EQ(key.error().code, KeyErrc::weak_key);
    EXPECT_NE(key.error().detail.find("ROCA"), std::string::npos) << key.error().message();
    seen = true;
  }
  EXPECT_TRUE(seen);
  for (int i = 0; i < 3; ++i) {
    const auto pkey = test::generate_key("RSA", nullptr, 2048);
    BIGNUM* n = nullptr;
    ASSERT_EQ(EVP_PKEY_get_bn_param(pkey.get(), "n", &n), 1);
    EXPECT_FALSE(detail::has_roca_fingerprint(n));
    BN_free(n);
  }
}

}  // namespace
}  // namespace authgate::jose
