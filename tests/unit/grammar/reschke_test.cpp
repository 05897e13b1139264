// Julian Reschke's WWW-Authenticate test suite (test.greenbytes.de/tech/tc/httpauth/, inputs as in
// Mozilla's netwerk/test/unit/test_authentication.js), each with OUR expected result and why.
// Where browsers disagree, docs/grammar.md explains the choice.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>

#include "authgate/grammar/parse.hpp"
#include "summary.hpp"

namespace authgate::grammar {
namespace {

using test::Case;
using test::case_name;
using test::summary;

constexpr Case reschke_cases[] = {
    {"simplebasic", R"(Basic realm="foo")", R"(Basic {realm="foo"})", "the plain case"},
    {"simplebasiclf", "Basic\r\n realm=\"foo\"", R"(Basic {realm="foo"})",
     "obs-fold in a response is whitespace (RFC 9112 §5.2); Firefox, Safari, Konqueror agree"},
    {"simplebasicucase", R"(BASIC REALM="foo")", R"(BASIC {realm="foo"})",
     "names are case-insensitive (RFC 9110 §11.1, §11.2): the scheme keeps its spelling, names are "
     "lower-cased"},
    {"simplebasictok", "Basic realm=foo", R"(Basic {realm="foo"})",
     "an auth-param value may be a token (RFC 9110 §11.2); every browser accepts it"},
    {"simplebasictokbs", R"(Basic realm=\f\o\o)", "error:expected_value@12",
     "'\\' is no tchar and escapes exist only inside quoted-strings; Safari ignores this challenge too"},
    {"simplebasicsq", "Basic realm='foo'", R"(Basic {realm="'foo'"})",
     "a single quote is a tchar, not a quote; Firefox shows 'foo' with the quotes too"},
    {"simplebasicpct", R"(Basic realm="foo%20bar")", R"(Basic {realm="foo%20bar"})",
     "auth-params have no percent-decoding"},
    {"simplebasiccomma", R"(Basic , realm="foo")", R"(Basic {realm="foo"})",
     "#auth-param may start with an empty element (RFC 9110 §5.6.1.2)"},
    {"simplebasiccomma2", R"(Basic, realm="foo")", "error:expected_scheme@7",
     "without SP after the scheme the comma ends the challenge, and realm=\"foo\" is no challenge"},
    {"simplebasicnorealm", "Basic", "Basic",
     "a scheme without params is grammatical; the Basic scheme, not the grammar, requires a realm"},
    {"simplebasic2realms", R"(Basic realm="foo", realm="bar")", "error:duplicate_param@19",
     "RFC 9110 §11.2: each parameter name once per challenge; two realms have no single meaning"},
    {"simplebasicwsrealm", R"(Basic realm = "foo")", R"(Basic {realm="foo"})",
     "BWS around '=' is part of the auth-param rule (RFC 9110 §11.2)"},
    {"simplebasicrealmsqc", R"(Basic realm="\f\o\o")", R"(Basic {realm="foo"})",
     "quoted-pair escapes any VCHAR (RFC 9110 §5.6.4)"},
    {"simplebasicrealmsqc2", R"(Basic realm="\"foo\"")", R"(Basic {realm="\"foo\""})",
     "an escaped DQUOTE is part of the value"},
    {"simplebasicnewparam1", R"(Basic realm="foo", bar="xyz",, a=b,,,c=d)",
     R"(Basic {realm="foo", bar="xyz", a="b", c="d"})",
     "unknown params are kept in order; empty elements skipped"},
    {"simplebasicnewparam2", R"(Basic bar="xyz", realm="foo")", R"(Basic {bar="xyz", realm="foo"})",
     "realm need not come first"},
    {"simplebasicrealmiso88591", "Basic realm=\"foo-\xe4\"", R"(Basic {realm="foo-\xE4"})",
     "obs-text is allowed in quoted-strings; the bytes are kept, not transcoded"},
    {"simplebasicrealmutf8", "Basic realm=\"foo-\xc3\xa4\"", R"(Basic {realm="foo-\xC3\xA4"})",
     "UTF-8 bytes are obs-text and kept as they are"},
    {"simplebasicrealmrfc2047", R"(Basic realm="=?ISO-8859-1?Q?foo-=E4?=")",
     R"(Basic {realm="=?ISO-8859-1?Q?foo-=E4?="})", "RFC 2047 encoding does not apply to quoted-strings"},
    {"multibasicunknown", R"(Basic realm="basic", Newauth realm="newauth")",
     R"(Basic {realm="basic"} | Newauth {realm="newauth"})", "unknown schemes are kept, in order"},
    {"multibasicunknownnoparam", R"(Basic realm="basic", Newauth)", R"(Basic {realm="basic"} | Newauth)",
     "a token after a comma that is not followed by '=' starts a new challenge"},
    {"multibasicunknown2", R"(Newauth realm="newauth", Basic realm="basic")",
     R"(Newauth {realm="newauth"} | Basic {realm="basic"})", "order is the server's"},
    {"multibasicunknown2np", R"(Newauth, Basic realm="basic")", R"(Newauth | Basic {realm="basic"})",
     "a bare scheme followed by a comma is a challenge without params"},
    {"multibasicempty", R"(,Basic realm="basic")", R"(Basic {realm="basic"})",
     "empty list elements are skipped (RFC 9110 §5.6.1.2)"},
    {"multibasicqs", R"(Newauth realm="apps", type=1, title="Login to \"apps\"", Basic realm="simple")",
     R"(Newauth {realm="apps", type="1", title="Login to \"apps\""} | Basic {realm="simple"})",
     "a comma inside a quoted-string does not split the list"},
    {"multidisgscheme", R"(Newauth realm="Newauth Realm", basic=foo, Basic realm="Basic Realm")",
     R"(Newauth {realm="Newauth Realm", basic="foo"} | Basic {realm="Basic Realm"})",
     "'basic=' is a param named basic, the next 'Basic' (no '=') a scheme"},
    {"unknown", R"(Newauth param="value")", R"(Newauth {param="value"})", "unknown schemes are kept"},
    {"parametersnotrequired", "A, B", "A | B", "challenges without params"},
    {"disguisedrealm", R"(Basic foo="realm=nottherealm", realm="basic")",
     R"(Basic {foo="realm=nottherealm", realm="basic"})", "'realm=' inside a quoted-string is data"},
    {"disguisedrealm2", R"(Basic nottherealm="nottherealm", realm="basic")",
     R"(Basic {nottherealm="nottherealm", realm="basic"})", "param names are compared whole"},
    {"missingquote", R"(Basic realm="basic)", "error:unterminated_quote@12",
     "an unterminated quoted-string has no value we could trust; the offset is the opening quote"},
};

class Reschke : public ::testing::TestWithParam<Case> {};

TEST_P(Reschke, ParsesAsWeDecided) {
  const Case& c = GetParam();
  EXPECT_EQ(summary(parse_challenges(c.input)), c.expected) << c.why;
}

INSTANTIATE_TEST_SUITE_P(WwwAuthenticate, Reschke, ::testing::ValuesIn(reschke_cases), case_name<Case>);

TEST(Reschke, multibasicunknown2mfTwoFieldLinesAreOneList) {
  // The suite's only two-line case: RFC 9110 §5.3 combines field lines into one list.
  const std::array<std::string_view, 2> lines = {R"(Newauth realm="newauth")", R"(Basic realm="basic")"};
  EXPECT_EQ(summary(parse_challenges(lines)), R"(Newauth {realm="newauth"} | Basic {realm="basic"})");
}

}  // namespace
}  // namespace authgate::grammar
