// Every field in the RFC example file (tests/data/vectors/rfc-http-auth-examples) parses, and
// survives a serialise → parse round trip. The Basic examples also decode to the RFC's user and password.
#include <gtest/gtest.h>
#include <boost/json/src.hpp>  // header-only: the grammar layer itself does not link Boost.JSON

#include <fstream>
#include <sstream>
#include <string>

#include "authgate/grammar/base64.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/grammar/serialize.hpp"

namespace authgate::grammar {
namespace {

namespace json = boost::json;

json::value load_examples() {
  std::ifstream in(AUTHGATE_VECTORS_DIR "/rfc-http-auth-examples/http-auth-examples.json");
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str());
}

struct Counts {
  int challenges = 0;
  int credentials = 0;
};

void check_challenges(std::string_view field, Counts& counts) {
  auto parsed = parse_challenges(field);
  ASSERT_TRUE(parsed.has_value()) << field << ": " << parsed.error().message();
  EXPECT_EQ(parse_challenges(to_field(*parsed)).value(), *parsed) << field;
  ++counts.challenges;
}

void check_credentials(std::string_view field, Counts& counts) {
  auto parsed = parse_credentials(field);
  ASSERT_TRUE(parsed.has_value()) << field << ": " << parsed.error().message();
  EXPECT_EQ(parse_credentials(to_field(*parsed)).value(), *parsed) << field;
  ++counts.credentials;
}

// Walks the file; the key names the field a string belongs to.
void walk(const json::value& value, std::string_view key, Counts& counts) {
  if (const auto* object = value.if_object()) {
    for (const auto& [k, v] : *object) walk(v, k, counts);
  } else if (const auto* array = value.if_array()) {
    for (const auto& v : *array) walk(v, key, counts);
  } else if (const auto* text = value.if_string()) {
    if (key == "challenge" || key == "challenges") check_challenges(*text, counts);
    if (key == "authorization" || key == "authorization_example" || key == "expected_credentials") {
      check_credentials(*text, counts);
    }
  }
}

TEST(RfcVectors, EveryChallengeAndCredentialsParsesAndRoundTrips) {
  Counts counts;
  walk(load_examples(), "", counts);
  EXPECT_EQ(counts.challenges, 8) << "RFC 7616 ×3, RFC 2617, RFC 7617 ×2, RFC 6750 ×2";
  EXPECT_EQ(counts.credentials, 6) << "RFC 7616 ×3, RFC 7617 ×2, RFC 6750";
}

TEST(RfcVectors, BasicCredentialsDecodeToTheRfcUserAndPassword) {
  const auto examples = load_examples();
  for (const char* section : {"section_2", "section_2_1"}) {
    const auto& example = examples.at("rfc7617").at(section);
    auto credentials = parse_credentials(example.at("expected_credentials").as_string());
    ASSERT_TRUE(credentials.has_value() && credentials->token68);
    const std::string expected = std::string(example.at("user_id").as_string()) + ":" +
                                 std::string(example.at("password").as_string());
    EXPECT_EQ(decode_base64(*credentials->token68).value(), expected) << section;
  }
}

}  // namespace
}  // namespace authgate::grammar
