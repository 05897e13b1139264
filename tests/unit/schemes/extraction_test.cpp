// Which one set of credentials a request presents (RFC 9110 §11.6.2; RFC 6750 §2.2, §2.3): a table of
// well-formed, malformed, oversized and adversarial requests against a route with real Basic and Bearer
// schemes, and against one without Bearer. Every row names the exact outcome: the field presented and
// where it came from, or the Reason and the exact challenge parameters of the refusal.
#include "authgate/schemes/extraction.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authgate/jose/jwk.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/stores/htpasswd.hpp"

namespace authgate::schemes {
namespace {

using Params = std::vector<grammar::AuthParam>;

enum class Route : unsigned char { basic_and_bearer, basic_only };

struct Expected {
  enum class Kind : unsigned char { none, presented, refused } kind = Kind::none;
  std::string field;   // presented: the field value the scheme verifies
  std::string scheme;  // presented: its first word; refused: the scheme blamed ("" = a plain 400)
  CredentialSource from = CredentialSource::field;
  Reason reason = Reason::ok;
  Params params;  // refused: the challenge parameters
};

Expected none() { return {}; }
Expected presented(std::string field, std::string scheme, CredentialSource from) {
  return {Expected::Kind::presented, std::move(field), std::move(scheme), from, Reason::ok, {}};
}
Expected refused(Reason reason, std::string scheme = {}, Params params = {}) {
  return {Expected::Kind::refused, {}, std::move(scheme), CredentialSource::field, reason, std::move(params)};
}

const Params more_than_one{{"error", "invalid_request"},
                           {"error_description", "The request carries more than one token"}};
const Params token_malformed{{"error", "invalid_request"},
                             {"error_description", "The access_token parameter is malformed"}};

struct Row {
  std::string name;
  std::vector<std::string> fields;
  std::optional<std::string> query;
  std::optional<std::string> form;
  TokenLocations where;
  Route route;
  Expected expected;
  std::string why;
};

// The route's schemes, as a compiled route holds them (see tests/unit/gateway/judge_test.cpp).
struct Schemes {
  Schemes() {
    auto store =
        stores::parse_htpasswd("alice:{SHA}g2YDYHBhl9R/ddqtGep+ipAO4aU=\n", "users", "", "groups", 1);
    basic = make_basic_scheme({"staff", false, {}}, *store);
    BearerOptions options;
    options.realm = "api";
    options.policy.jws.algorithms = {jose::Alg::hs256};
    auto key = jose::key_from_secret("0123456789abcdef0123456789abcdef");
    auto keys = std::make_shared<jose::LiveKeySet>(
        std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key}));
    bearer = make_bearer_scheme(options, keys);
  }
  std::vector<const Scheme*> route(Route which) const {
    if (which == Route::basic_only) return {basic.get()};
    return {basic.get(), bearer.get()};
  }
  std::shared_ptr<const Scheme> basic, bearer;
};

const Schemes& schemes() {
  static const Schemes built;
  return built;
}

class ExtractionTest : public ::testing::TestWithParam<Row> {};

void expect_presented(const Extraction& got, const Row& row, const std::vector<std::string_view>& fields,
                      const std::string& storage) {
  const auto* presented = std::get_if<Presented>(&got);
  ASSERT_NE(presented, nullptr) << row.why;
  EXPECT_EQ(presented->field, row.expected.field) << row.why;
  EXPECT_EQ(presented->scheme, row.expected.scheme) << row.why;
  EXPECT_EQ(presented->from, row.expected.from) << row.why;
  // A field line is presented in place; a token is "Bearer <token>" in the caller's storage.
  const char* const home =
      presented->from == CredentialSource::field ? fields.front().data() : storage.data();
  EXPECT_EQ(presented->field.data(), home) << row.why;
}

TEST_P(ExtractionTest, PresentsOneCredentialsOrRefusesExactly) {
  const Row& row = GetParam();
  const std::vector<std::string_view> fields(row.fields.begin(), row.fields.end());
  const CredentialSources sources{fields, row.query, row.form};
  const auto route = schemes().route(row.route);
  std::string storage;
  const auto got = extract_credentials(route, row.where, sources, storage);
  switch (row.expected.kind) {
    case Expected::Kind::none:
      EXPECT_TRUE(std::holds_alternative<NoCredentials>(got)) << row.why;
      break;
    case Expected::Kind::presented:
      expect_presented(got, row, fields, storage);
      break;
    case Expected::Kind::refused: {
      const auto* malformed = std::get_if<Malformed>(&got);
      ASSERT_NE(malformed, nullptr) << row.why;
      EXPECT_EQ(malformed->reason, row.expected.reason) << row.why;
      EXPECT_EQ(malformed->scheme, row.expected.scheme) << row.why;
      EXPECT_EQ(malformed->challenge_params, row.expected.params) << row.why;
      break;
    }
  }
}

constexpr TokenLocations off{false, false};
constexpr TokenLocations query_only{true, false};
constexpr TokenLocations form_only{false, true};
constexpr TokenLocations both{true, true};
constexpr auto full = Route::basic_and_bearer;
constexpr auto basic_only = Route::basic_only;
constexpr auto dup = Reason::duplicate_credentials;
constexpr auto bad = Reason::malformed_header;
constexpr auto in_field = CredentialSource::field;
constexpr auto in_query = CredentialSource::query;
constexpr auto in_form = CredentialSource::form;
const std::string mib(1024 * 1024, 'a');

using V = std::vector<std::string>;
using std::nullopt;

INSTANTIATE_TEST_SUITE_P(
    ExtractionFromFields, ExtractionTest,
    ::testing::Values(
        Row{"NoFieldsAreNoCredentials", V{}, nullopt, nullopt, both, full, none(),
            "the 401 that starts a round"},
        Row{"OneFieldIsPresentedAsSent", V{"Basic YWxpY2U6YWxpY2UtcHc="}, nullopt, nullopt, both, full,
            presented("Basic YWxpY2U6YWxpY2UtcHc=", "Basic", in_field), "the field line itself"},
        Row{"AnEmptyFieldIsPresentedForTheSchemesToRefuse", V{""}, nullopt, nullopt, both, full,
            presented("", "", in_field), "extraction finds; it does not parse"},
        Row{"AHugeFieldIsPresentedWhole", V{"Bearer " + mib}, nullopt, nullopt, both, full,
            presented("Bearer " + mib, "Bearer", in_field), "the head limit bounds fields, not extraction"},
        Row{"TwoBasicFieldsAreAPlain400", V{"Basic YQ==", "Basic Yg=="}, nullopt, nullopt, both, full,
            refused(dup), "two users in one request: no challenge parameter to give"},
        Row{"TwoFieldsNamingBearerAreBearersInvalidRequest", V{"Basic YQ==", "Bearer abc"}, nullopt, nullopt,
            both, full, refused(dup, "Bearer", more_than_one), "RFC 6750 §3.1 invalid_request"},
        Row{"BearerIsRecognisedInAnyCase", V{"bearer a", "BEARER b"}, nullopt, nullopt, off, full,
            refused(dup, "Bearer", more_than_one), "scheme names are case-insensitive (RFC 9110 §11.1)"},
        Row{"ThreeFieldsAreADuplicate", V{"Digest username=\"a\"", "Basic YQ==", "Basic Yg=="}, nullopt,
            nullopt, both, full, refused(dup), "no scheme on the route blamed: a plain 400"}),
    [](const auto& p) { return p.param.name; });

INSTANTIATE_TEST_SUITE_P(
    ExtractionFromQueryAndForm, ExtractionTest,
    ::testing::Values(
        Row{"AQueryTokenAloneIsPresentedAsABearerField", V{}, "a=1&access_token=abc.def%2Bghi%2F~_-&b=2",
            nullopt, query_only, full, presented("Bearer abc.def+ghi/~_-", "Bearer", in_query),
            "RFC 6750 §2.3, form-urlencoded"},
        Row{"APaddedTokenIsTaken", V{}, "access_token=abc%3D%3D", nullopt, query_only, full,
            presented("Bearer abc==", "Bearer", in_query), "token68 may end in '='"},
        Row{"StrayAmpersandsAreSkipped", V{}, "&&access_token=t&&", nullopt, query_only, full,
            presented("Bearer t", "Bearer", in_query), "empty parameters are nothing"},
        Row{"AQueryTokenNextToAFieldIsADuplicate", V{"Basic YQ=="}, "access_token=tok", nullopt, query_only,
            full, refused(dup, "Bearer", more_than_one), "RFC 6750 §2: one method per request"},
        Row{"TwoQueryTokensAreADuplicate", V{}, "access_token=a&access_token=b", nullopt, query_only, full,
            refused(dup, "Bearer", more_than_one), "which one would the upstream have seen?"},
        Row{"ABrokenEscapeIsMalformed", V{}, "access_token=abc%2", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "'%' needs two hex digits"},
        Row{"ANonHexEscapeIsMalformed", V{}, "access_token=%g0", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "'%' needs two hex digits"},
        Row{"ABrokenTokenNextToAFieldIsMalformed", V{"Basic YQ=="}, "access_token=%zz", nullopt, query_only,
            full, refused(bad, "Bearer", token_malformed), "the broken escape is named first"},
        Row{"APlusDecodesToASpaceAndIsNoToken68", V{}, "access_token=abc+def", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "'+' is a space in a form"},
        Row{"AnEncodedSpaceIsNoToken68", V{}, "access_token=abc%20def", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "a space would split the Bearer field"},
        Row{"AnEncodedCrlfIsNoToken68", V{}, "access_token=abc%0D%0AX-Auth-User:%20admin", nullopt,
            query_only, full, refused(bad, "Bearer", token_malformed),
            "no header injection through the storage field"},
        Row{"AnEncodedNulIsNoToken68", V{}, "access_token=abc%00", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "NUL cuts C strings"},
        Row{"AnEqualsSignInsideIsNoToken68", V{}, "access_token=a=b", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "'=' only as trailing padding"},
        Row{"AnEmptyTokenIsMalformed", V{}, "access_token=", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "present but empty"},
        Row{"ANameWithoutValueIsMalformed", V{}, "access_token", nullopt, query_only, full,
            refused(bad, "Bearer", token_malformed), "no '=' is an empty value"},
        Row{"AFormTokenAloneIsPresented", V{}, nullopt, "access_token=f0rm&scope=read", form_only, full,
            presented("Bearer f0rm", "Bearer", in_form), "RFC 6750 §2.2"},
        Row{"QueryAndFormTokensAreADuplicate", V{}, "access_token=q", "access_token=f", both, full,
            refused(dup, "Bearer", more_than_one), "RFC 6750 §2: one method per request"},
        Row{"AFormTokenNextToAFieldIsADuplicate", V{"Bearer abc"}, nullopt, "access_token=f", form_only, full,
            refused(dup, "Bearer", more_than_one), "RFC 6750 §2: one method per request"},
        Row{"AQueryWithoutTheParameterIsNoCredentials", V{}, "a=1&b=access_token", nullopt, both, full,
            none(), "a value that says access_token is not the parameter"},
        Row{"OtherCasesAndEscapesOfTheNameAreNotTheParameter", V{},
            "ACCESS_TOKEN=x&Access_Token=y&access%5Ftoken=z&access_tokens=w", nullopt, query_only, full,
            none(), "the name is compared as sent (RFC 6750 §2.3 spells it one way)"}),
    [](const auto& p) { return p.param.name; });

INSTANTIATE_TEST_SUITE_P(
    ExtractionByLocationAndRoute, ExtractionTest,
    ::testing::Values(
        Row{"AQueryTokenIsIgnoredWhenLocationsAreOff", V{}, "access_token=tok", nullopt, off, full, none(),
            "token locations are off by default"},
        Row{"AQueryTokenIsIgnoredWhenOnlyTheFormIsAllowed", V{}, "access_token=tok", nullopt, form_only, full,
            none(), "each location is its own switch"},
        Row{"AFieldIsPresentedNextToAQueryTokenWhenLocationsAreOff", V{"Basic YQ=="}, "access_token=tok",
            nullopt, off, full, presented("Basic YQ==", "Basic", in_field), "the query is just a query"},
        Row{"AFormTokenIsIgnoredWhenOnlyTheQueryIsAllowed", V{}, "access_token=q", "access_token=f",
            query_only, full, presented("Bearer q", "Bearer", in_query), "the form is just a body"},
        Row{"ABrokenTokenWhereLocationsAreOffIsIgnored", V{}, "access_token=%zz", "access_token=%zz", off,
            full, none(), "not looked at, so not refused"},
        Row{"AHugeQueryTokenIsTakenWhole", V{}, "access_token=" + mib, nullopt, query_only, full,
            presented("Bearer " + mib, "Bearer", in_query), "1 MiB: the URI limit bounds it, not extraction"},
        Row{"AHugeBrokenTokenIsMalformed", V{}, "access_token=" + std::string(1024 * 1024, '%'), nullopt,
            query_only, full, refused(bad, "Bearer", token_malformed), "1 MiB of '%' fails at the first"},
        Row{"AHugeFormWithTwoTokensIsADuplicate", V{}, nullopt, mib + "&access_token=a&access_token=b",
            form_only, full, refused(dup, "Bearer", more_than_one), "the parameters after 1 MiB still count"},
        Row{"WithoutBearerABrokenTokenIsAPlain400", V{}, "access_token=%zz", nullopt, query_only, basic_only,
            refused(bad), "no Bearer realm: no invalid_request to send"},
        Row{"WithoutBearerTwoTokensAreAPlain400", V{}, "access_token=a&access_token=b", nullopt, query_only,
            basic_only, refused(dup), "no Bearer realm: no invalid_request to send"},
        Row{"WithoutBearerTwoFieldsNamingBearerAreAPlain400", V{"Bearer a", "Bearer b"}, nullopt, nullopt,
            off, basic_only, refused(dup), "a scheme the route lacks is never blamed"},
        Row{"WithoutBearerAWellFormedTokenIsPresentedForTheJudgeToRefuse", V{}, "access_token=tok", nullopt,
            query_only, basic_only, presented("Bearer tok", "Bearer", in_query),
            "extraction finds; no realm accepts Bearer, so the judge says scheme_not_accepted"}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::schemes
