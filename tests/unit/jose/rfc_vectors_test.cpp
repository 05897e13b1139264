// RFC 7515 Appendix A, RFC 7520 §4 and RFC 8037 Appendix A.4 examples: every signed example verifies
// with its key, and the unsecured one (A.5) is refused.
#include <gtest/gtest.h>

#include "authgate/grammar/base64.hpp"
#include "authgate/jose/verify.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

std::string latchset(const std::string& name) {
  std::string text = test::read_text(test::vectors_path("latchset-jose/vectors/" + name));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

std::shared_ptr<const KeySet> keys_from_jwk_file(const std::string& name) {
  return test::set_of(
      {test::jwk_key(test::text(test::public_only(boost::json::parse(latchset(name)).as_object())))});
}

JwsPolicy every_algorithm() {
  JwsPolicy policy;
  policy.algorithms.assign(all_algs().begin(), all_algs().end());
  return policy;
}

struct RfcCase {
  const char* name;
  const char* token_file;
  const char* key_file;
  Alg alg;
};

TEST(RfcVectors, Rfc7515AppendixAAndRfc7520Section4Verify) {
  const RfcCase cases[] = {
      {"RFC 7515 A.1 HS256", "rfc7515_A.1.jwsc", "rfc7515_A.1.jwk", Alg::hs256},
      {"RFC 7515 A.2 RS256", "rfc7515_A.2.jwsc", "rfc7515_A.2.jwk", Alg::rs256},
      {"RFC 7515 A.3 ES256", "rfc7515_A.3.jwsc", "rfc7515_A.3.jwk", Alg::es256},
      {"RFC 7515 A.4 ES512", "rfc7515_A.4.jwsc", "rfc7515_A.4.jwk", Alg::es512},
      {"RFC 7520 4.1 RS256", "rfc7520_4.1.jwsc", "rfc7520_4.1.jwk", Alg::rs256},
      {"RFC 7520 4.2 PS384", "rfc7520_4.2.jwsc", "rfc7520_4.2.jwk", Alg::ps384},
      {"RFC 7520 4.3 ES512", "rfc7520_4.3.jwsc", "rfc7520_4.3.jwk", Alg::es512},
      {"RFC 7520 4.4 HS256", "rfc7520_4.4.jwsc", "rfc7520_4.4.jwk", Alg::hs256},
  };
  for (const auto& c : cases) {
    const std::string token = latchset(c.token_file);
    const auto result = verify_jws(token, *keys_from_jwk_file(c.key_file), every_algorithm());
    ASSERT_TRUE(result) << c.name << ": " << to_string(result.error());
    EXPECT_EQ(result->header.alg, c.alg) << c.name;
    std::string tampered = token;
    tampered[tampered.find('.') + 5] ^= 0x01;  // one payload character
    EXPECT_FALSE(verify_jws(tampered, *keys_from_jwk_file(c.key_file), every_algorithm())) << c.name;
  }
}

TEST(RfcVectors, Rfc7515A5UnsecuredJwsIsRefused) {
  const auto result =
      verify_jws(latchset("rfc7515_A.5.jwsc"), *keys_from_jwk_file("rfc7515_A.1.jwk"), every_algorithm());
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error(), VerifyErrc::alg_none);
}

TEST(RfcVectors, Rfc7515A1ClaimsCheckAgainstAPinnedClock) {
  // {"iss":"joe","exp":1300819380,"http://example.com/is_root":true}
  VerifyPolicy policy;
  policy.jws = every_algorithm();
  policy.claims.issuer = "joe";
  policy.claims.user_claim = "iss";
  const auto keys = keys_from_jwk_file("rfc7515_A.1.jwk");
  const std::chrono::system_clock::time_point before{std::chrono::seconds(1300819380 - 100)};
  const auto result = verify_token(latchset("rfc7515_A.1.jwsc"), *keys, policy, before);
  ASSERT_TRUE(result) << to_string(result.error());
  EXPECT_EQ(result->identity.claims.at("http://example.com/is_root"), std::vector<std::string>{"true"});
  const std::chrono::system_clock::time_point after{std::chrono::seconds(1300819380 + 61)};
  EXPECT_EQ(verify_token(latchset("rfc7515_A.1.jwsc"), *keys, policy, after).error(), VerifyErrc::expired);
}

TEST(RfcVectors, Rfc7520DetachedContentVerifiesOnlyWithThePayloadAttached) {
  // RFC 7520 §4.5 / RFC 7515 Appendix F: we never accept detached content; the client sends the token
  // with its payload in place.
  const std::string detached = latchset("rfc7520_4.5.jwsc");
  const auto keys = keys_from_jwk_file("rfc7520_4.5.jwk");
  EXPECT_EQ(verify_jws(detached, *keys, every_algorithm()).error(), VerifyErrc::bad_signature);
  const std::string payload = grammar::encode_base64url(latchset("rfc7520_4.5.payl"));
  std::string attached = detached;
  attached.insert(detached.find('.') + 1, payload);
  EXPECT_TRUE(verify_jws(attached, *keys, every_algorithm()));
}

TEST(RfcVectors, JoseCookbookAndRfc8037Ed25519Verify) {
  const char* files[] = {"jws/4_1.rsa_v15_signature.json", "jws/4_2.rsa-pss_signature.json",
                         "jws/4_3.ecdsa_signature.json", "jws/4_4.hmac-sha2_integrity_protection.json",
                         "curve25519/jws.json"};
  for (const char* file : files) {
    const auto example = test::read_json(test::vectors_path(std::string("jose-cookbook/") + file));
    const auto& input = example.at("input").as_object();
    const auto keys =
        test::set_of({test::jwk_key(test::text(test::public_only(input.at("key").as_object())))});
    const std::string compact(example.at("output").at("compact").as_string().c_str());
    const auto result = verify_jws(compact, *keys, every_algorithm());
    ASSERT_TRUE(result) << file << ": " << to_string(result.error());
    EXPECT_EQ(result->payload, input.at("payload").as_string().c_str()) << file;
    EXPECT_EQ(to_string(result->header.alg), input.at("alg").as_string().c_str()) << file;
  }
}

}  // namespace
}  // namespace authgate::jose
