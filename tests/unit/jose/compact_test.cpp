#include <gtest/gtest.h>

#include "authgate/jose/jws.hpp"
#include "jose_signer.hpp"

namespace authgate::jose {
namespace {

using test::b64;

const std::string payload_b64 = b64(R"({"sub":"alice"})");
const std::string sig_b64 = b64(std::string(32, 'x'));

std::string token(std::string_view header_json) {
  return b64(header_json) + "." + payload_b64 + "." + sig_b64;
}

struct CompactCase {
  const char* name;
  std::string input;
  std::optional<VerifyErrc> expected;  // nullopt = parses
  const char* why;
};

TEST(Compact, ParsesStrictCompactSerializationOnly) {
  const std::string good = token(R"({"alg":"HS256","kid":"k","typ":"at+jwt"})");
  const CompactCase cases[] = {
      {"well formed", good, std::nullopt, "RFC 7515 §7.1"},
      {"empty payload", b64(R"({"alg":"HS256"})") + ".." + sig_b64, std::nullopt, "a JWS may sign nothing"},
      {"empty signature", b64(R"({"alg":"HS256"})") + "." + payload_b64 + ".", std::nullopt,
       "parses; the signature check refuses it"},
      {"two parts", b64(R"({"alg":"HS256"})") + "." + payload_b64, VerifyErrc::malformed, "exactly two dots"},
      {"four parts", good + ".", VerifyErrc::malformed, "extra dot"},
      {"five parts (JWE)", good + ".a.b", VerifyErrc::malformed, "JWE is not a JWS"},
      {"empty header", "." + payload_b64 + "." + sig_b64, VerifyErrc::malformed, "the header is required"},
      {"padding", b64(R"({"alg":"HS256"})") + "=." + payload_b64 + "." + sig_b64, VerifyErrc::malformed,
       "RFC 7515 §2: base64url without padding"},
      {"standard base64 alphabet", good.substr(0, good.size() - 1) + "+", VerifyErrc::malformed,
       "'+' is not base64url"},
      {"space inside", " " + good, VerifyErrc::malformed, "no whitespace"},
      {"line break inside", good.substr(0, 10) + "\n" + good.substr(10), VerifyErrc::malformed,
       "no whitespace"},
      {"JSON serialization", R"({"payload":"e30","signatures":[]})", VerifyErrc::malformed, "compact only"},
      {"header not JSON", b64("alg") + "." + payload_b64 + "." + sig_b64, VerifyErrc::malformed,
       "RFC 7515 §5.2"},
      {"header an array", token(R"(["HS256"])"), VerifyErrc::malformed, "must be an object"},
      {"header duplicate alg", token(R"({"alg":"none","alg":"HS256"})"), VerifyErrc::malformed,
       "RFC 7515 §5.2 step 4: duplicate names rejected"},
      {"no alg", token(R"({"kid":"k"})"), VerifyErrc::malformed, "alg MUST be present"},
      {"alg not a string", token(R"({"alg":["HS256"]})"), VerifyErrc::bad_header, "alg is a string"},
      {"alg none", token(R"({"alg":"none"})"), VerifyErrc::alg_none, "RFC 8725 §3.2"},
      {"alg None", token(R"({"alg":"None"})"), VerifyErrc::alg_none, "any spelling"},
      {"alg NONE", token(R"({"alg":"NONE"})"), VerifyErrc::alg_none, "any spelling"},
      {"alg nOnE", token(R"({"alg":"nOnE"})"), VerifyErrc::alg_none, "any spelling"},
      {"alg unknown", token(R"({"alg":"HS1"})"), VerifyErrc::alg_unknown, "closed set"},
      {"alg lower case", token(R"({"alg":"hs256"})"), VerifyErrc::alg_unknown, "case-sensitive"},
      {"crit unknown", token(R"({"alg":"HS256","crit":["exp"],"exp":1})"), VerifyErrc::crit_unsupported,
       "RFC 7515 §4.1.11"},
      {"crit b64", token(R"({"alg":"HS256","crit":["b64"],"b64":false})"), VerifyErrc::crit_unsupported,
       "RFC 7797 is not implemented"},
      {"crit standard name", token(R"({"alg":"HS256","crit":["alg"]})"), VerifyErrc::crit_unsupported,
       "listing a registered name is itself invalid"},
      {"crit empty", token(R"({"alg":"HS256","crit":[]})"), VerifyErrc::crit_unsupported,
       "MUST NOT be empty"},
      {"kid number", token(R"({"alg":"HS256","kid":7})"), VerifyErrc::bad_header, "kid is a string"},
      {"typ object", token(R"({"alg":"HS256","typ":{}})"), VerifyErrc::bad_header, "typ is a string"},
      {"1 MB token", std::string(1 << 20, 'a'), VerifyErrc::too_large, "size limit before any decoding"},
      {"empty", "", VerifyErrc::malformed, "nothing"},
  };
  for (const auto& c : cases) {
    const auto parsed = parse_compact(c.input);
    if (c.expected) {
      ASSERT_FALSE(parsed) << c.name << ": " << c.why;
      EXPECT_EQ(parsed.error(), *c.expected)
          << c.name << ": " << c.why << " got " << to_string(parsed.error());
    } else {
      EXPECT_TRUE(parsed) << c.name << ": " << c.why << " got " << to_string(parsed.error());
    }
  }
}

TEST(Compact, ExposesHeaderAndSigningInput) {
  const std::string t = token(R"({"alg":"ES256","kid":"../k","typ":"JWT","jku":"https://evil/"})");
  const auto parsed = parse_compact(t);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->header.alg, Alg::es256);
  EXPECT_EQ(parsed->header.kid, "../k");
  EXPECT_EQ(parsed->header.typ, "JWT");
  EXPECT_EQ(parsed->signing_input, t.substr(0, t.rfind('.')));
  EXPECT_EQ(parsed->payload, R"({"sub":"alice"})");
  EXPECT_EQ(parsed->signature, std::string(32, 'x'));
}

TEST(Compact, DecodesWithoutVerifying) {
  const auto decoded = decode_unverified(token(R"({"alg":"none"})"));
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->header, R"({"alg":"none"})");
  EXPECT_EQ(decoded->payload, R"({"sub":"alice"})");
  EXPECT_FALSE(decode_unverified("a.b"));
  EXPECT_FALSE(decode_unverified("a=.b.c"));
}

struct TypCase {
  std::string_view actual, expected;
  bool matches;
};

TEST(Compact, ComparesTypAsAMediaType) {
  const TypCase cases[] = {
      {"at+jwt", "at+jwt", true},
      {"AT+JWT", "at+jwt", true},
      {"application/at+jwt", "at+jwt", true},
      {"Application/AT+JWT", "at+jwt", true},
      {"at+jwt", "application/at+jwt", true},
      {"jwt", "at+jwt", false},
      {"text/at+jwt", "at+jwt", false},
      {"application/", "at+jwt", false},
      {"", "at+jwt", false},
  };
  for (const auto& c : cases)
    EXPECT_EQ(typ_matches(c.actual, c.expected), c.matches) << c.actual << " vs " << c.expected;
}

}  // namespace
}  // namespace authgate::jose
