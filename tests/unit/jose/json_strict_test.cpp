#include "jose/json_strict.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::jose::detail {
namespace {

struct JsonCase {
  const char* name;
  std::string input;
  bool accepted;
  const char* why;
};

std::string nested(int depth) {
  return std::string(static_cast<std::size_t>(depth), '[') +
         std::string(static_cast<std::size_t>(depth), ']');
}

TEST(JsonStrict, AcceptsOnlyStrictObjectsWithoutDuplicateNames) {
  const JsonCase cases[] = {
      {"plain object", R"({"alg":"RS256","kid":"a"})", true, "the normal case"},
      {"whitespace", " {\r\n \"a\" : 1 }\t", true, "RFC 8259 whitespace is fine"},
      {"empty object", "{}", true, "an empty header is syntactically an object"},
      {"duplicate top-level name", R"({"alg":"HS256","alg":"none"})", false,
       "RFC 7515 §5.2: duplicate header names are rejected, never last-wins"},
      {"duplicate nested name", R"({"a":{"x":1,"x":2}})", false, "at every depth"},
      {"same name in sibling objects", R"({"a":{"x":1},"b":{"x":2}})", true, "names are per object"},
      {"same name at two depths", R"({"x":{"x":1}})", true, "names are per object"},
      {"escaped duplicate", R"({"alg":1,"\u0061lg":2})", false, "escapes are decoded before comparing"},
      {"array top level", R"([1,2])", false, "a header or claims set is an object"},
      {"string top level", R"("x")", false, "a header or claims set is an object"},
      {"comment", R"({"a":1 /* c */})", false, "no comments"},
      {"trailing comma", R"({"a":1,})", false, "no trailing commas"},
      {"trailing garbage", R"({"a":1}x)", false, "exactly one value"},
      {"two objects", R"({}{})", false, "exactly one value"},
      {"invalid UTF-8", std::string("{\"a\":\"\xC3\x28\"}"), false, "RFC 8259 §8.1"},
      {"unterminated", R"({"a":)", false, "syntax"},
      {"empty", "", false, "no value"},
      {"depth 15", "{\"a\":" + nested(14) + "}", true, "within the depth limit"},
      {"depth 100", "{\"a\":" + nested(99) + "}", false, "nesting bomb"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(parse_json_object(c.input).has_value(), c.accepted) << c.name << ": " << c.why;
  }
}

TEST(JsonStrict, KeepsValuesIntact) {
  const auto object = parse_json_object(R"({"n":12345678901234567890,"s":"\u00e9","f":1.5,"b":true})");
  ASSERT_TRUE(object);
  EXPECT_TRUE(object->at("n").is_uint64());
  EXPECT_EQ(object->at("s").get_string(), "\xC3\xA9");
  EXPECT_DOUBLE_EQ(object->at("f").get_double(), 1.5);
}

TEST(JsonStrict, HandlesAManyMemberObject) {
  std::string json = "{";
  for (int i = 0; i < 2000; ++i)
    json += (i ? "," : "") + std::string("\"k") + std::to_string(i) + "\":" + std::to_string(i);
  EXPECT_TRUE(parse_json_object(json + "}").has_value());
  EXPECT_FALSE(parse_json_object(json + ",\"k7\":0}").has_value()) << "a duplicate far from the first";
}

}  // namespace
}  // namespace authgate::jose::detail
