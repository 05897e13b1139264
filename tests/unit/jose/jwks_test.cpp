#include "authgate/jose/jwks.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "jose_signer.hpp"
#include "vectors.hpp"

namespace authgate::jose {
namespace {

using test::public_jwk;
using test::test_keys;

std::string set(std::initializer_list<std::string> keys) {
  std::string out = "{\"keys\":[";
  bool first = true;
  for (const auto& key : keys) {
    out += (first ? "" : ",") + key;
    first = false;
  }
  return out + "]}";
}

const std::string secret_a = R"({"kty":"oct","kid":"h1","k":"AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"})";
const std::string secret_b = R"({"kty":"oct","kid":"h2","k":"AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"})";

struct SetCase {
  const char* name;
  std::string input;
  std::optional<KeyErrc> set_error;  // whole-set refusal
  std::size_t keys;
  std::size_t skipped;
  const char* why;
};

TEST(Jwks, KeepsUsableKeysAndSaysWhyOthersWereSkipped) {
  const std::string rsa = public_jwk(test_keys().rsa.get(), "r1");
  const std::string ec = public_jwk(test_keys().p256.get(), "e1");
  const std::string ed = public_jwk(test_keys().ed25519.get(), "d1");
  const std::string enc = public_jwk(test_keys().rsa_other.get(), "r2", R"(,"use":"enc")");
  const SetCase cases[] = {
      {"three public keys", set({rsa, ec, ed}), std::nullopt, 3, 0, "RFC 7517 §5"},
      {"encryption key skipped", set({rsa, enc}), std::nullopt, 1, 1, "use enc is not for JWS"},
      {"garbage member skipped", set({rsa, "42", "{}"}), std::nullopt, 1, 2,
       "one bad key never sinks the set"},
      {"duplicate kid drops both", set({rsa, public_jwk(test_keys().rsa_other.get(), "r1")}), std::nullopt, 0,
       2, "ambiguous kid (Wycheproof DuplicateKid)"},
      {"duplicate kid with a broken twin", set({rsa, R"({"kty":"RSA","kid":"r1"})"}), std::nullopt, 0, 2,
       "the publisher meant two keys; we cannot tell which"},
      {"keys without kid coexist",
       set({public_jwk(test_keys().rsa.get()), public_jwk(test_keys().p256.get())}), std::nullopt, 2, 0,
       "only equal non-empty kids clash"},
      {"secrets only", set({secret_a, secret_b}), std::nullopt, 2, 0, "an HMAC key set"},
      {"secret with public key", set({secret_a, ec}), KeyErrc::mixed_key_set, 0, 0,
       "RFC 8725 §3.1 (Wycheproof MixedKeySet)"},
      {"bare JWK", rsa, std::nullopt, 1, 0, "a single JWK is a set of one"},
      {"empty set", R"({"keys":[]})", std::nullopt, 0, 0, "loads, holds nothing"},
      {"keys not an array", R"({"keys":{}})", KeyErrc::missing_member, 0, 0, "RFC 7517 §5.1"},
      {"no keys member", R"({"foo":1})", KeyErrc::missing_member, 0, 0, "RFC 7517 §5.1"},
      {"not JSON", "keys", KeyErrc::unparseable, 0, 0, "a JWKS is a JSON object"},
      {"duplicate keys member", R"({"keys":[],"keys":[]})", KeyErrc::unparseable, 0, 0, "strict JSON"},
  };
  for (const auto& c : cases) {
    const JwksResult load = parse_jwks(c.input);
    if (c.set_error) {
      ASSERT_FALSE(load) << c.name << ": " << c.why;
      EXPECT_EQ(load.error().code, *c.set_error) << c.name;
      continue;
    }
    ASSERT_TRUE(load) << c.name << ": " << load.error().message();
    EXPECT_EQ(load->keys->keys().size(), c.keys) << c.name << ": " << c.why;
    EXPECT_EQ(load->skipped.size(), c.skipped) << c.name << ": " << c.why;
  }
}

TEST(Jwks, ReportsTheIndexKidAndReasonOfASkippedKey) {
  const JwksResult load = parse_jwks(set({public_jwk(test_keys().rsa.get(), "r1"),
                                          public_jwk(test_keys().p256.get(), "bad", R"(,"use":"enc")")}));
  ASSERT_TRUE(load);
  ASSERT_EQ(load->skipped.size(), 1u);
  EXPECT_EQ(load->skipped[0].index, 1u);
  EXPECT_EQ(load->skipped[0].kid, "bad");
  EXPECT_EQ(load->skipped[0].error.code, KeyErrc::not_for_signing);
}

TEST(Jwks, EnforcesSizeAndCountLimits) {
  JwksLimits limits;
  limits.max_keys = 2;
  const std::string three = set({secret_a, secret_b, R"({"kty":"oct","k":"AAAA"})"});
  const JwksResult too_many = parse_jwks(three, limits);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, KeyErrc::too_large);
  limits.max_keys = 10;
  limits.max_bytes = 100;
  EXPECT_FALSE(parse_jwks(three, limits));
}

TEST(Jwks, FindsKeysByExactKidOnly) {
  const JwksResult load = parse_jwks(set({public_jwk(test_keys().rsa.get(), "../../etc/passwd"),
                                          public_jwk(test_keys().p256.get(), "k' OR '1'='1")}));
  ASSERT_TRUE(load);
  EXPECT_NE(load->keys->find("../../etc/passwd"), nullptr) << "a kid is only a string";
  EXPECT_EQ(load->keys->find("../../etc/PASSWD"), nullptr);
  EXPECT_EQ(load->keys->find("k"), nullptr);
  EXPECT_EQ(load->keys->find(""), nullptr) << "the empty kid matches nothing";
}

TEST(Jwks, GivesEverySetANewGeneration) {
  const KeySet a({});
  const KeySet b({});
  EXPECT_LT(a.generation(), b.generation());
}

TEST(Jwks, LoadsKeyFiles) {
  const std::string dir = ::testing::TempDir();
  const auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir + name, std::ios::binary) << content;
    return dir + name;
  };
  const JwksResult jwks =
      load_jwks_file(write("jose_keys.json", set({public_jwk(test_keys().rsa.get(), "r")})));
  ASSERT_TRUE(jwks);
  EXPECT_EQ(jwks->keys->keys().size(), 1u);
  EXPECT_TRUE(load_pem_file(write("jose_key.pem", test::public_pem(test_keys().p256.get()))));
  const KeyResult secret = load_secret_file(write("jose_secret", std::string(32, 's') + "\r\n"));
  ASSERT_TRUE(secret);
  EXPECT_EQ((*secret)->secret().size(), 32u) << "one trailing line break is not part of the secret";
  EXPECT_FALSE(load_secret_file(write("jose_big_secret", std::string(5000, 's'))));
  const JwksResult missing = load_jwks_file(dir + "does_not_exist.json");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, KeyErrc::io);
}

TEST(Jwks, LiveKeySetSwapsWhileReadersHoldTheOldSnapshot) {
  LiveKeySet live(std::make_shared<const KeySet>(std::vector<std::shared_ptr<const Key>>{}));
  const auto before = live.current();
  std::thread writer([&] {
    for (int i = 0; i < 1000; ++i)
      live.replace(std::make_shared<const KeySet>(std::vector<std::shared_ptr<const Key>>{}));
  });
  std::uint64_t last = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto now = live.current();
    ASSERT_NE(now, nullptr);
    EXPECT_GE(now->generation(), last) << "generations only move forward";
    last = now->generation();
  }
  writer.join();
  EXPECT_GT(live.current()->generation(), before->generation());
  EXPECT_TRUE(before->empty()) << "the old snapshot stays valid for whoever holds it";
}

}  // namespace
}  // namespace authgate::jose
