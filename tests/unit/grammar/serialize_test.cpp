// The canonical form we send, and serialise → parse round trips for every value.
#include "authgate/grammar/serialize.hpp"

#include <gtest/gtest.h>

#include <array>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "summary.hpp"

namespace authgate::grammar {
namespace {

using test::case_name;
using test::summary;

TEST(ToField, ReproducesTheRfc7616ChallengeExactly) {
  const Challenge challenge{"Digest",
                            std::nullopt,
                            {{"realm", "http-auth@example.org"},
                             {"qop", "auth, auth-int"},
                             {"algorithm", "SHA-256"},
                             {"nonce", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v"},
                             {"opaque", "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"}}};
  EXPECT_EQ(
      to_field(challenge),
      R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")");
}

TEST(ToField, ReproducesTheRfc7616AuthorizationExactly) {
  const std::string_view rfc =
      R"(Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="8ca523f5e9506fed4657c9700eebdbec", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";
  EXPECT_EQ(to_field(parse_credentials(rfc).value()), rfc);
}

struct Case {
  std::string_view name;
  Challenge input;
  std::string_view expected;
  std::string_view why;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

const Case canonical[] = {
    {"BasicRealmIsQuoted",
     {"Basic", std::nullopt, {{"realm", "WallyWorld"}}},
     R"(Basic realm="WallyWorld")",
     "RFC 7617 §2 requires realm as a quoted-string"},
    {"SchemeAlone", {"Negotiate", std::nullopt, {}}, "Negotiate", "no params, no token68"},
    {"Token68IsBare", {"Negotiate", "YII=", {}}, "Negotiate YII=", "token68 is never quoted"},
    {"Token68WinsOverParams", {"X", "abc", {{"a", "b"}}}, "X abc", "one or the other, never both"},
    {"QuoteAndBackslashAreEscaped",
     {"Bearer", std::nullopt, {{"error_description", R"(a "b" \c)"}}},
     R"(Bearer error_description="a \"b\" \\c")",
     "RFC 9110 §5.6.4 quoted-pair"},
    {"StaleIsBare",
     {"Digest", std::nullopt, {{"stale", "true"}, {"userhash", "false"}}},
     "Digest stale=true, userhash=false",
     "RFC 7616 spells stale and userhash bare"},
    {"BareNameWithNonTokenValueIsQuoted",
     {"Digest", std::nullopt, {{"algorithm", "SHA 256"}}},
     R"(Digest algorithm="SHA 256")",
     "only a token may be bare"},
    {"EmptyValueIsQuoted",
     {"X", std::nullopt, {{"qop", ""}}},
     R"(X qop="")",
     "an empty token does not exist"},
    {"OtherTokensAreStillQuoted",
     {"Bearer", std::nullopt, {{"error", "invalid_token"}}},
     R"(Bearer error="invalid_token")",
     "RFC 6750 §3 quotes error"},
    {"ControlCharactersBecomeSpaces",
     {"Basic", std::nullopt, {{"realm", std::string("a\r\nSet-Cookie: x\0", 17)}}},
     R"(Basic realm="a  Set-Cookie: x ")",
     "no value can split the header line (RFC 9110 §5.5)"},
    {"TabAndEightBitBytesAreKept",
     {"Basic", std::nullopt, {{"realm", "a\tb\xc3\xa4"}}},
     "Basic realm=\"a\tb\xc3\xa4\"",
     "HTAB and obs-text are qdtext"},
};

class Canonical : public ::testing::TestWithParam<Case> {};

TEST_P(Canonical, Form) {
  const Case& c = GetParam();
  EXPECT_EQ(to_field(c.input), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(ToField, Canonical, ::testing::ValuesIn(canonical), case_name<Case>);

TEST(ToField, SeveralChallengesAndAuthInfo) {
  const std::vector<Challenge> challenges = {
      {"Basic", std::nullopt, {{"realm", "a"}}}, {"Bearer", std::nullopt, {}}, {"Negotiate", "abc==", {}}};
  EXPECT_EQ(to_field(challenges), R"(Basic realm="a", Bearer, Negotiate abc==)");
  const std::vector<AuthParam> info = {{"qop", "auth"}, {"rspauth", "x"}, {"nc", "00000001"}};
  EXPECT_EQ(to_field(info), R"(qop=auth, rspauth="x", nc=00000001)");
  EXPECT_EQ(to_field(std::span<const AuthParam>{}), "");
}

constexpr std::string_view round_trip_fields[] = {
    R"(Basic realm="foo")",
    R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")",
    R"(Basic realm="\f\o\o", x='y', a=b,,,c=d)",
    "Basic realm=\"foo-\xc3\xa4\", Newauth, A, B x=\"\\\\\"",
    R"(Negotiate abc123==, Basic realm="test", Bearer error=)",
    R"(Digest realm="api@example.org", qop="auth", algorithm=SHA-512-256, nonce="5TsQ+/", charset=UTF-8, userhash=true)",
    "Bearer realm = \"something\" ,error=\"bad_token\" , error_description = \" spaced \t\"",
    "Basic\r\n realm=\"folded\"",
};

TEST(RoundTrip, ParseSerialiseParseIsStable) {
  for (std::string_view field : round_trip_fields) {
    auto first = parse_challenges(field);
    ASSERT_TRUE(first.has_value()) << field << ": " << first.error().message();
    const std::string canonical_form = to_field(*first);
    auto second = parse_challenges(canonical_form);
    ASSERT_TRUE(second.has_value()) << canonical_form << ": " << second.error().message();
    EXPECT_EQ(*second, *first) << field << " -> " << canonical_form;
    EXPECT_EQ(to_field(*second), canonical_form) << "the canonical form is a fixed point";
  }
}

TEST(RoundTrip, EveryByteValueInAQuotedValueSurvives) {
  // Every byte a quoted-string can carry: HTAB, SP..~ and obs-text, including '"' and '\'.
  std::string value = "\t";
  for (int c = 0x20; c < 0x7F; ++c) value += static_cast<char>(c);
  for (int c = 0x80; c < 0x100; ++c) value += static_cast<char>(c);
  const Challenge challenge{"X", std::nullopt, {{"realm", value}, {"algorithm", value}}};
  EXPECT_EQ(parse_challenges(to_field(challenge)).value().front(), challenge);
  const Credentials credentials{"X", std::nullopt, {{"nc", value}}};
  EXPECT_EQ(parse_credentials(to_field(credentials)).value(), credentials);
  const std::vector<AuthParam> info = {{"rspauth", value}};
  EXPECT_EQ(parse_auth_info(to_field(info)).value(), info);
}

TEST(RoundTrip, EveryPrintableValueOfEveryBareNameSurvives) {
  for (std::string_view name : {"algorithm", "stale", "nc", "qop", "userhash", "realm"}) {
    for (int c = 0x20; c < 0x7F; ++c) {
      const std::string value(2, static_cast<char>(c));
      const Challenge challenge{"Digest", std::nullopt, {{std::string(name), value}}};
      auto parsed = parse_challenges(to_field(challenge));
      ASSERT_TRUE(parsed.has_value()) << to_field(challenge);
      EXPECT_EQ(parsed->front(), challenge) << to_field(challenge);
    }
  }
}

TEST(AppendQuoted, AlwaysQuotes) {
  std::string out = "x=";
  append_quoted(out, "token");
  EXPECT_EQ(out, R"(x="token")");
}

// Issue 11 F2: what the gateway writes into a header field from a claim or a file must be a clean field
// value (RFC 9110 §5.5), or the upstream sees another field, or another value.
TEST(IsFieldValue, AcceptsVcharObsTextAndInnerWhitespaceOnly) {
  const struct {
    std::string value;
    bool ok;
  } cases[] = {
      {"", true},
      {"alice", true},
      {"j\xC3\xBCrgen", true},
      {"Alice Smith", true},
      {"a\tb", true},
      {"a,b", true},
      {"a\r\nX-Evil: 1", false},
      {"a\nb", false},
      {"a\rb", false},
      {std::string("a\0b", 3), false},
      {"a\x01", false},
      {"a\x7f", false},
      {" alice", false},
      {"alice ", false},
      {"\talice", false},
      {" ", false},
  };
  for (const auto& c : cases) EXPECT_EQ(is_field_value(c.value), c.ok) << ::testing::PrintToString(c.value);
}

}  // namespace
}  // namespace authgate::grammar
