// Known JWT attacks, one test each, end to end through verify_token with a pinned clock.
#include <gtest/gtest.h>

#include "authgate/jose/verify.hpp"
#include "jose_signer.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

using std::chrono::seconds;
using test::header;
using test::public_jwk;
using test::sign_jws;
using test::test_keys;

constexpr long now_s = 1'700'000'000;
const std::chrono::system_clock::time_point now{seconds(now_s)};

const std::string good_claims = R"({"iss":"https://issuer.example","aud":["api"],"sub":"alice","exp":)" +
                                std::to_string(now_s + 300) + "}";

VerifyPolicy policy(std::vector<Alg> algs = {Alg::rs256, Alg::es256}) {
  VerifyPolicy p;
  p.jws.algorithms = std::move(algs);
  p.claims.issuer = "https://issuer.example";
  p.claims.audiences = {"api"};
  return p;
}

// The issuer's keys: an RSA key "rsa-1" and a P-256 key "ec-1".
const KeySet& issuer_keys() {
  static const auto keys = test::set_of({test::jwk_key(public_jwk(test_keys().rsa.get(), "rsa-1")),
                                         test::jwk_key(public_jwk(test_keys().p256.get(), "ec-1"))});
  return *keys;
}

std::string rs256(std::string_view extra_header = R"(,"kid":"rsa-1")",
                  std::string_view claims = good_claims) {
  return sign_jws(test_keys().rsa.get(), Alg::rs256, header("RS256", extra_header), claims);
}

VerifyErrc failure(std::string_view token, const VerifyPolicy& p = policy(),
                   const KeySet& keys = issuer_keys()) {
  const auto result = verify_token(token, keys, p, now);
  EXPECT_FALSE(result) << "accepted a token that must fail";
  return result ? VerifyErrc::malformed : result.error();
}

TEST(Attacks, AGenuineTokenVerifies) {
  const auto result = verify_token(rs256(), issuer_keys(), policy(), now);
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->identity.user, "alice");
  EXPECT_EQ(result->key_id, "rsa-1");
  EXPECT_EQ(result->alg, Alg::rs256);
}

TEST(Attacks, AlgNoneIsRefusedInEverySpelling) {
  for (const char* alg : {"none", "None", "NONE", "nOnE"}) {
    const std::string token = test::signing_input(header(alg, R"(,"kid":"rsa-1")"), good_claims) + ".";
    EXPECT_EQ(failure(token), VerifyErrc::alg_none) << alg;
    EXPECT_EQ(to_reason(VerifyErrc::alg_none), Reason::alg_not_allowed);
  }
}

TEST(Attacks, Rs256TokenResignedAsHs256WithThePublicKeyIsRefused) {
  // The attacker MACs with the server's public key (PEM and JWK text and raw modulus, all tried).
  const std::string pem = test::public_pem(test_keys().rsa.get());
  const std::string jwk = public_jwk(test_keys().rsa.get(), "rsa-1");
  for (const std::string& secret : {pem, jwk, test::bn_bytes(test_keys().rsa.get(), "n")}) {
    const std::string token =
        test::hmac_jws(secret, Alg::hs256, header("HS256", R"(,"kid":"rsa-1")"), good_claims);
    EXPECT_EQ(failure(token), VerifyErrc::alg_not_allowed) << "HS256 is not configured";
    // Even a policy that (wrongly) also accepts HS256 never uses the RSA key as a secret.
    EXPECT_EQ(failure(token, policy({Alg::rs256, Alg::hs256})), VerifyErrc::unknown_key);
  }
}

TEST(Attacks, Es256SignatureOfTheWrongLengthOrInDerIsRefused) {
  const std::string input = test::signing_input(header("ES256", R"(,"kid":"ec-1")"), good_claims);
  const std::string raw = test::sign_bytes(test_keys().p256.get(), Alg::es256, input);
  const std::string der = test::sign_bytes(test_keys().p256.get(), Alg::es256, input, /*der=*/true);
  EXPECT_TRUE(verify_token(input + "." + test::b64(raw), issuer_keys(), policy(), now)) << "control";
  EXPECT_EQ(failure(input + "." + test::b64(der)), VerifyErrc::bad_signature) << "DER instead of raw r‖s";
  EXPECT_EQ(failure(input + "." + test::b64(raw.substr(0, 63))), VerifyErrc::bad_signature) << "63 bytes";
  EXPECT_EQ(failure(input + "." + test::b64(raw + '\0')), VerifyErrc::bad_signature) << "65 bytes";
  EXPECT_EQ(failure(input + "." + test::b64(std::string(64, '\0'))), VerifyErrc::bad_signature)
      << "r = s = 0";
}

TEST(Attacks, KidWithPathOrSqlCharactersIsOnlyALookupString) {
  // JSON-escaped kids: the header text carries \" and \u0000 escapes.
  for (const char* kid :
       {"../../../../../../dev/null", "/etc/passwd", "rsa-1' OR '1'='1", "rsa-1\\\"; DROP TABLE keys; --",
        "rsa-1%00", "*", "rsa-1\\u0000", "RSA-1", "rsa-1 "}) {
    const std::string token = rs256(std::string(",\"kid\":\"") + kid + "\"");
    EXPECT_EQ(failure(token), VerifyErrc::unknown_key) << kid;
  }
  // A kid that really is configured with such characters matches exactly itself.
  const auto keys = test::set_of({test::jwk_key(public_jwk(test_keys().rsa.get(), "../x' OR 1=1"))});
  EXPECT_TRUE(verify_token(rs256(R"(,"kid":"../x' OR 1=1")"), *keys, policy(), now));
}

TEST(Attacks, JkuJwkX5uAndX5cHeadersNeverSupplyTheKey) {
  // Signed by the attacker's own key, which the header points at or embeds (RFC 8725 §3.10).
  const std::string attacker_jwk = public_jwk(test_keys().rsa_other.get(), "rsa-1");
  const std::string extras[] = {
      ",\"kid\":\"rsa-1\",\"jwk\":" + attacker_jwk,
      R"(,"kid":"rsa-1","jku":"https://attacker.example/jwks.json")",
      R"(,"jku":"https://attacker.example/jwks.json")",
      R"(,"x5u":"https://attacker.example/cert.pem","kid":"rsa-1")",
      R"(,"x5c":["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"],"kid":"rsa-1")",
  };
  for (const auto& extra : extras) {
    const std::string token =
        sign_jws(test_keys().rsa_other.get(), Alg::rs256, header("RS256", extra), good_claims);
    EXPECT_EQ(failure(token), VerifyErrc::bad_signature) << extra;
  }
}

TEST(Attacks, UnknownCritIsRefused) {
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1","crit":["urn:example:x"],"urn:example:x":1)")),
            VerifyErrc::crit_unsupported);
}

TEST(Attacks, TokenExpiredOneSecondBeyondLeewayIsRefused) {
  const std::string claims = R"({"iss":"https://issuer.example","aud":"api","sub":"alice","exp":)" +
                             std::to_string(now_s - 61) + "}";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1")", claims)), VerifyErrc::expired);
  EXPECT_EQ(to_reason(VerifyErrc::expired), Reason::token_expired);
}

TEST(Attacks, NbfInTheFutureIsRefused) {
  const std::string claims = R"({"iss":"https://issuer.example","aud":"api","sub":"alice","exp":)" +
                             std::to_string(now_s + 3600) + ",\"nbf\":" + std::to_string(now_s + 600) + "}";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1")", claims)), VerifyErrc::not_yet_valid);
}

TEST(Attacks, WrongAudienceInAnArrayIsRefused) {
  const std::string claims =
      R"({"iss":"https://issuer.example","aud":["other-api","API"],"sub":"alice","exp":)" +
      std::to_string(now_s + 300) + "}";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1")", claims)), VerifyErrc::bad_audience);
}

TEST(Attacks, EmptyOrStrippedSignatureIsRefused) {
  const std::string token = rs256();
  EXPECT_EQ(failure(token.substr(0, token.rfind('.') + 1)), VerifyErrc::bad_signature);
  EXPECT_EQ(failure(token.substr(0, token.rfind('.'))), VerifyErrc::malformed);
}

TEST(Attacks, ExtraDotsAreRefused) {
  const std::string token = rs256();
  EXPECT_EQ(failure(token + "."), VerifyErrc::malformed);
  EXPECT_EQ(failure(token + ".e30"), VerifyErrc::malformed);
  EXPECT_EQ(failure("." + token), VerifyErrc::malformed);
  EXPECT_EQ(failure(token.substr(0, token.find('.')) + ".." + token.substr(token.find('.') + 1)),
            VerifyErrc::malformed);
}

TEST(Attacks, OneMegabyteTokenIsRefusedBeforeDecoding) {
  const std::string huge_claims = R"({"sub":"alice","pad":")" + std::string(1 << 20, 'a') + "\"}";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1")", huge_claims)), VerifyErrc::too_large);
  EXPECT_EQ(failure(std::string(1 << 20, '.')), VerifyErrc::too_large);
}

TEST(Attacks, AlgSwappedToAnotherRsaPaddingIsRefused) {
  // Same signature bytes, header claims PS256: the signing input changes and the padding differs.
  const std::string token = rs256();
  const std::string swapped = test::b64(header("PS256", R"(,"kid":"rsa-1")")) + token.substr(token.find('.'));
  EXPECT_EQ(failure(swapped, policy({Alg::rs256, Alg::ps256})), VerifyErrc::bad_signature);
}

TEST(Attacks, KeyOfTheRightTypeButAnotherKidIsNotTried) {
  const std::string by_ec =
      sign_jws(test_keys().p256_other.get(), Alg::es256, header("ES256", R"(,"kid":"ec-1")"), good_claims);
  EXPECT_EQ(failure(by_ec), VerifyErrc::bad_signature);
}

TEST(Attacks, KeyTriesWithoutKidAreBounded) {
  // Nine RSA keys without kid; the right one is last. Only eight are tried, so the token fails; the same
  // token with the right kid among kid-bearing keys verifies.
  std::vector<std::shared_ptr<const Key>> keys;
  for (int i = 0; i < 8; ++i)
    keys.push_back(test::jwk_key(public_jwk(test_keys().rsa_other.get(), "k" + std::to_string(i))));
  keys.push_back(test::jwk_key(public_jwk(test_keys().rsa.get(), "k8")));
  const auto set = test::set_of(std::move(keys));
  const std::string no_kid = sign_jws(test_keys().rsa.get(), Alg::rs256, header("RS256"), good_claims);
  EXPECT_EQ(failure(no_kid, policy(), *set), VerifyErrc::bad_signature);
  EXPECT_TRUE(verify_token(rs256(R"(,"kid":"k8")"), *set, policy(), now));
}

TEST(Attacks, KeysWithoutKidAnswerToAnyKid) {
  // A PEM key has no kid; it verifies tokens whatever kid they carry (RFC 7515 §4.1.4 leaves kid's
  // structure to the issuer), but only tokens its own key signed.
  const auto pem_key = key_from_pem(test::public_pem(test_keys().rsa.get()));
  ASSERT_TRUE(pem_key);
  const auto set = test::set_of({*pem_key});
  EXPECT_TRUE(verify_token(rs256(R"(,"kid":"anything")"), *set, policy(), now));
  EXPECT_TRUE(verify_token(rs256(""), *set, policy(), now));
}

TEST(Attacks, RequiredTypeIsEnforced) {
  VerifyPolicy p = policy();
  p.jws.typ = "at+jwt";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1")"), p), VerifyErrc::bad_type) << "typ missing";
  EXPECT_EQ(failure(rs256(R"(,"kid":"rsa-1","typ":"JWT")"), p), VerifyErrc::bad_type)
      << "an ID token is not an access token";
  EXPECT_TRUE(verify_token(rs256(R"(,"kid":"rsa-1","typ":"application/at+jwt")"), issuer_keys(), p, now));
}

TEST(Attacks, EveryFailureMapsToABearerReasonAndAHarmlessDescription) {
  for (int i = 0; i <= static_cast<int>(VerifyErrc::no_subject); ++i) {
    const auto code = static_cast<VerifyErrc>(i);
    const Reason reason = to_reason(code);
    EXPECT_TRUE(reason == Reason::invalid_token || reason == Reason::token_expired ||
                reason == Reason::token_not_yet_valid || reason == Reason::bad_signature ||
                reason == Reason::unknown_key || reason == Reason::bad_issuer ||
                reason == Reason::bad_audience || reason == Reason::alg_not_allowed);
    for (const char c : describe(code)) {
      // RFC 6750 §3: error_description is %x20-21 / %x23-5B / %x5D-7E.
      EXPECT_TRUE(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\') << to_string(code);
    }
    EXPECT_NE(to_string(code), "unknown");
  }
}

}  // namespace
}  // namespace authgate::jose
