// Wycheproof primitive vectors through verify_signature: every `valid` vector verifies, every `invalid`
// one does not, and `acceptable` ones get the outcome documented in docs/bearer.md.
#include <gtest/gtest.h>

#include <iostream>

#include "authgate/grammar/base64.hpp"
#include "authgate/jose/signature.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

namespace json = boost::json;

std::string str(const json::value& v) { return std::string(v.as_string().c_str()); }

struct Tally {
  int accepted = 0, rejected = 0, acceptable = 0, skipped = 0;
  std::vector<std::string> wrong;
};

json::value wycheproof(const std::string& file) {
  return test::read_json(test::vectors_path("wycheproof/testvectors_v1/" + file));
}

// Runs every test of `file` with `alg` and the key `key_of(group)`; `expect(group, test)` says whether
// the vector must verify under JWS rules.
template <class KeyOf, class Expect>
Tally run(const std::string& file, Alg alg, KeyOf key_of, Expect expect) {
  Tally tally;
  const json::value vectors = wycheproof(file);
  for (const auto& group : vectors.at("testGroups").as_array()) {
    const std::shared_ptr<const Key> key = key_of(group.as_object());
    for (const auto& t : group.at("tests").as_array()) {
      const bool verified =
          key && verify_signature(alg, *key, test::unhex(str(t.at("msg"))), test::unhex(str(t.at("sig"))));
      const std::string result = str(t.at("result"));
      if (result == "acceptable") ++tally.acceptable;
      const bool should = expect(group.as_object(), t.as_object());
      (verified ? tally.accepted : tally.rejected)++;
      if (verified != should)
        tally.wrong.push_back(file + " tcId " + std::to_string(t.at("tcId").as_int64()) + " " + result);
    }
  }
  std::cout << "[wycheproof] " << file << ": " << tally.accepted << " verified, " << tally.rejected
            << " refused, " << tally.acceptable << " acceptable\n";
  return tally;
}

bool valid(const json::object&, const json::object& t) { return t.at("result") == "valid"; }

std::shared_ptr<const Key> from_jwk(const json::object& group) {
  return test::jwk_key(test::text(group.at("publicKeyJwk")));
}

std::shared_ptr<const Key> from_rsa(const json::object& group) {
  const auto& pk = group.at("publicKey").as_object();
  return test::jwk_key(R"({"kty":"RSA","n":")" +
                       grammar::encode_base64url(test::unhex(str(pk.at("modulus")))) + R"(","e":")" +
                       grammar::encode_base64url(test::unhex(str(pk.at("publicExponent")))) + "\"}");
}

// Some groups carry no publicKeyJwk (keys with special coordinates): build the JWK from the point.
std::shared_ptr<const Key> from_point(const json::object& group) {
  const auto& pk = group.at("publicKey").as_object();
  const std::string curve = str(pk.at("curve"));
  const std::string crv = curve == "secp256r1" ? "P-256" : curve == "secp384r1" ? "P-384" : "P-521";
  const std::size_t width = crv == "P-256" ? 32 : crv == "P-384" ? 48 : 66;
  const std::string point = test::unhex(str(pk.at("uncompressed")));
  return test::jwk_key(R"({"kty":"EC","crv":")" + crv + R"(","x":")" +
                       grammar::encode_base64url(point.substr(1, width)) + R"(","y":")" +
                       grammar::encode_base64url(point.substr(1 + width)) + "\"}");
}

void expect_clean(const Tally& tally) {
  for (const auto& w : tally.wrong) ADD_FAILURE() << w;
}

TEST(Wycheproof, EcdsaP1363) {
  expect_clean(run("ecdsa_secp256r1_sha256_p1363_test.json", Alg::es256, from_point, valid));
  expect_clean(run("ecdsa_secp384r1_sha384_p1363_test.json", Alg::es384, from_point, valid));
  expect_clean(run("ecdsa_secp521r1_sha512_p1363_test.json", Alg::es512, from_point, valid));
}

TEST(Wycheproof, EcdsaDerSignaturesNeverVerifyAsJws) {
  // The DER twins: RFC 7518 §3.4 wants raw r‖s, so not one DER vector verifies, valid or not.
  const auto never = [](const json::object&, const json::object&) { return false; };
  expect_clean(run("ecdsa_secp256r1_sha256_test.json", Alg::es256, from_point, never));
  expect_clean(run("ecdsa_secp384r1_sha384_test.json", Alg::es384, from_point, never));
  expect_clean(run("ecdsa_secp521r1_sha512_test.json", Alg::es512, from_point, never));
}

TEST(Wycheproof, RsaPkcs1v15) {
  // `acceptable` here is only MissingNull (DigestInfo without the NULL parameter): OpenSSL re-encodes
  // the DigestInfo with NULL and compares, so we refuse it — see docs/bearer.md.
  const auto strict = [](const json::object&, const json::object& t) { return t.at("result") == "valid"; };
  const std::pair<const char*, Alg> files[] = {
      {"rsa_signature_2048_sha256_test.json", Alg::rs256},
      {"rsa_signature_2048_sha384_test.json", Alg::rs384},
      {"rsa_signature_2048_sha512_test.json", Alg::rs512},
      {"rsa_signature_3072_sha256_test.json", Alg::rs256},
      {"rsa_signature_3072_sha384_test.json", Alg::rs384},
      {"rsa_signature_3072_sha512_test.json", Alg::rs512},
      {"rsa_signature_4096_sha256_test.json", Alg::rs256},
      {"rsa_signature_4096_sha384_test.json", Alg::rs384},
      {"rsa_signature_4096_sha512_test.json", Alg::rs512},
  };
  for (const auto& [file, alg] : files) expect_clean(run(file, alg, from_rsa, strict));
}

TEST(Wycheproof, RsaPssWithSaltLengthEqualToHashLength) {
  // RFC 7518 §3.5: PS256/384/512 use MGF1 with the same hash and sLen = hLen. Groups that fit verify
  // exactly as labelled; every other group (sLen 0, other MGF hash, SHA-1/224) must never verify.
  const auto jose_group = [](const json::object& group) {
    const std::string sha = str(group.at("sha"));
    const std::int64_t hash_bytes = sha == "SHA-256"   ? 32
                                    : sha == "SHA-384" ? 48
                                    : sha == "SHA-512" ? 64
                                                       : -1;
    return group.at("mgfSha") == group.at("sha") && group.at("sLen").as_int64() == hash_bytes;
  };
  const auto expect = [&](const json::object& group, const json::object& t) {
    if (jose_group(group)) return t.at("result") == "valid";
    // A vector of another group re-signed with sLen = hLen (comment "s_len changed to 32") is an honest
    // PS256 signature, labelled invalid only for its group's parameters.
    return str(t.at("comment")) ==
           "s_len changed to " + std::to_string(group.at("sha") == "SHA-256" ? 32 : 0);
  };
  const std::pair<const char*, Alg> files[] = {
      {"rsa_pss_2048_sha256_mgf1_32_test.json", Alg::ps256},
      {"rsa_pss_3072_sha256_mgf1_32_test.json", Alg::ps256},
      {"rsa_pss_4096_sha256_mgf1_32_test.json", Alg::ps256},
      {"rsa_pss_2048_sha384_mgf1_48_test.json", Alg::ps384},
      {"rsa_pss_4096_sha384_mgf1_48_test.json", Alg::ps384},
      {"rsa_pss_4096_sha512_mgf1_64_test.json", Alg::ps512},
      {"rsa_pss_2048_sha256_mgf1_0_test.json", Alg::ps256},
  };
  for (const auto& [file, alg] : files) expect_clean(run(file, alg, from_rsa, expect));
  // The misc file mixes hashes; each group is run with the JWS algorithm of its hash, when there is one.
  for (const Alg alg : {Alg::ps256, Alg::ps384, Alg::ps512}) {
    const std::string sha = "SHA-" + std::to_string(hash_length(alg) * 8);
    const auto key_if_hash = [&](const json::object& group) {
      return str(group.at("sha")) == sha ? from_rsa(group) : nullptr;
    };
    const auto expect_if_hash = [&](const json::object& group, const json::object& t) {
      return str(group.at("sha")) == sha && expect(group, t);
    };
    expect_clean(run("rsa_pss_misc_test.json", alg, key_if_hash, expect_if_hash));
  }
}

TEST(Wycheproof, EdDsa) {
  expect_clean(run("ed25519_test.json", Alg::eddsa, from_jwk, valid));
  expect_clean(run("ed448_test.json", Alg::eddsa, from_jwk, valid));
}

TEST(Wycheproof, HmacWithFullLengthTagsAndKeysAsLongAsTheHash) {
  // RFC 7518 §3.2: the tag is the whole HMAC output and the key is at least the hash length. Groups with
  // truncated tags or shorter keys are valid for a generic MAC API but must not verify as HS*.
  for (const auto& [file, alg] :
       {std::pair{"hmac_sha256_test.json", Alg::hs256}, std::pair{"hmac_sha384_test.json", Alg::hs384},
        std::pair{"hmac_sha512_test.json", Alg::hs512}}) {
    Tally tally;
    const json::value vectors = wycheproof(file);
    for (const auto& group : vectors.at("testGroups").as_array()) {
      const bool jose = group.at("tagSize").as_int64() == static_cast<std::int64_t>(hash_length(alg) * 8) &&
                        group.at("keySize").as_int64() >= static_cast<std::int64_t>(hash_length(alg) * 8);
      for (const auto& t : group.at("tests").as_array()) {
        const auto key = key_from_secret(test::unhex(str(t.at("key"))));
        const bool verified =
            key && verify_signature(alg, **key, test::unhex(str(t.at("msg"))), test::unhex(str(t.at("tag"))));
        (verified ? tally.accepted : tally.rejected)++;
        if (verified != (jose && t.at("result") == "valid"))
          tally.wrong.push_back(file + std::string(" tcId ") + std::to_string(t.at("tcId").as_int64()));
      }
    }
    std::cout << "[wycheproof] " << file << ": " << tally.accepted << " verified, " << tally.rejected
              << " refused\n";
    expect_clean(tally);
  }
}

}  // namespace
}  // namespace authgate::jose
