// Wycheproof whole-token vectors: json_web_signature_test.json (compact JWS against one key) and
// json_web_key_test.json (key-set selection). Each vector is decided by verify_jws with every algorithm
// enabled; the handful of vectors whose labels contradict each other are listed with our decision.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "authgate/jose/jws.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

namespace json = boost::json;

struct Deviation {
  bool verifies;
  const char* why;
};

// json_web_signature_test.json vectors where we do not follow the label, and why (docs/bearer.md).
const std::map<std::int64_t, Deviation> jws_deviations{
    {346,
     {false,
      "key alg PS256, token PS384: a key that names its alg verifies only that alg (RFC 7517 §4.4); "
      "json_web_key_test tcId 19/20 demand exactly this"}},
    {350, {false, "same as 346 with key_ops"}},
    {347,
     {false, "key alg \"ES521\" is not a JWS algorithm, so the key is unusable (json_web_key_test tcId 19)"}},
    {351, {false, "same as 347 with key_ops"}},
    {367, {true, "labelled invalid but byte-identical to valid tcId 357"}},
    {370, {true, "labelled invalid but byte-identical to valid tcId 357"}},
    {372, {false, "labelled valid but the header holds '?', which is not base64url (RFC 7515 §2)"}},
    {373, {false, "labelled valid but the payload holds '?', which is not base64url (RFC 7515 §2)"}},
};

JwsPolicy every_algorithm() {
  JwsPolicy policy;
  policy.algorithms.assign(all_algs().begin(), all_algs().end());
  return policy;
}

// The verifier's keys for a group: the public JWK (set) when given, else the private one (HMAC).
std::shared_ptr<const KeySet> group_keys(const json::object& group) {
  const json::value& jwk = group.contains("public") ? group.at("public") : group.at("private");
  std::string text = test::text(jwk);
  if (jwk.as_object().contains("kty")) text = "{\"keys\":[" + text + "]}";
  const JwksResult load = parse_jwks(text);
  return load ? load->keys : std::make_shared<const KeySet>(std::vector<std::shared_ptr<const Key>>{});
}

struct Outcome {
  int verified = 0, refused = 0;
  std::vector<std::string> wrong;
};

Outcome run(const std::string& file, const std::map<std::int64_t, Deviation>& deviations) {
  Outcome outcome;
  const auto vectors = test::read_json(test::vectors_path("wycheproof/testvectors_v1/" + file));
  for (const auto& group : vectors.at("testGroups").as_array()) {
    const auto keys = group_keys(group.as_object());
    for (const auto& t : group.at("tests").as_array()) {
      const json::value& jws = t.at("jws");
      const std::string token = jws.is_string() ? std::string(jws.as_string().c_str()) : test::text(jws);
      const bool verified = verify_jws(token, *keys, every_algorithm()).has_value();
      const std::int64_t id = t.at("tcId").as_int64();
      bool expected = t.at("result") == "valid";
      if (const auto d = deviations.find(id); d != deviations.end()) expected = d->second.verifies;
      (verified ? outcome.verified : outcome.refused)++;
      if (verified != expected)
        outcome.wrong.push_back(file + " tcId " + std::to_string(id) + " (" +
                                std::string(t.at("comment").as_string().c_str()) + ")");
    }
  }
  std::cout << "[wycheproof] " << file << ": " << outcome.verified << " verified, " << outcome.refused
            << " refused\n";
  return outcome;
}

TEST(WycheproofJose, JsonWebSignatureVectors) {
  for (const auto& wrong : run("json_web_signature_test.json", jws_deviations).wrong) ADD_FAILURE() << wrong;
}

TEST(WycheproofJose, JsonWebKeyVectors) {
  for (const auto& wrong : run("json_web_key_test.json", {}).wrong) ADD_FAILURE() << wrong;
}

TEST(WycheproofJose, DeviationsAreTheVectorsTheyClaimToBe) {
  // Guards the deviation list: 367/370 really are byte-identical to 357, and 372/373 really hold '?'.
  std::map<std::int64_t, std::string> tokens;
  const auto vectors =
      test::read_json(test::vectors_path("wycheproof/testvectors_v1/json_web_signature_test.json"));
  for (const auto& group : vectors.at("testGroups").as_array()) {
    for (const auto& t : group.at("tests").as_array()) {
      if (t.at("jws").is_string()) tokens[t.at("tcId").as_int64()] = t.at("jws").as_string().c_str();
    }
  }
  EXPECT_EQ(tokens.at(367), tokens.at(357));
  EXPECT_EQ(tokens.at(370), tokens.at(357));
  EXPECT_NE(tokens.at(372).find('?'), std::string::npos);
  EXPECT_NE(tokens.at(373).find('?'), std::string::npos);
}

}  // namespace
}  // namespace authgate::jose
