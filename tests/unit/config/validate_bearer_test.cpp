// validate() and compile() of `scheme: bearer` realms and of a route's Bearer keys: every mistake is
// reported at its own file:line:col with its path.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compile.hpp"
#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::expect_case;
constexpr Severity E = Severity::error;
constexpr Severity W = Severity::warning;

// A Basic realm and a Bearer realm with a JWKS file; routes for each and one for both.
constexpr const char* bearer_yaml =
    "listeners:\n"
    "  - port: 8080\n"
    "upstreams:\n"
    "  app: {url: \"http://127.0.0.1:3000\"}\n"
    "stores:\n"
    "  staff: {path: users.htpasswd, groups: groups.txt}\n"
    "realms:\n"
    "  staff: {scheme: basic, realm: \"Staff area\", store: staff}\n"
    "  api:\n"
    "    scheme: bearer\n"
    "    realm: \"API\"\n"
    "    jwks_file: bearer/es256.jwks.json\n"
    "    algorithms: [ES256]\n"
    "    issuer: \"https://issuer.example\"\n"
    "    audiences: [api]\n"
    "routes:\n"
    "  - name: api\n"
    "    match: {path: /api}\n"
    "    upstream: app\n"
    "    auth: {realms: [api], scopes: [read]}\n"
    "  - name: app\n"
    "    upstream: app\n"
    "    auth: {realms: [staff]}\n";

std::string edit(std::vector<std::pair<std::string, std::string>> edits) {
  std::string text = bearer_yaml;
  for (const auto& [from, to] : edits) {
    const auto at = text.find(from);
    if (at == std::string::npos) return "edit target not found: " + from;
    text.replace(at, from.size(), to);
  }
  return text;
}
std::string edit(const std::string& from, const std::string& to) { return edit({{from, to}}); }
std::string realm_line(const std::string& from, const std::string& to) {
  return edit("    " + from, "    " + to);
}

// An introspection realm's source line with `extra` keys appended.
std::string introspection(const std::string& extra) {
  return "introspection: {url: \"https://i.example/introspect\", client_id: gw, "
         "client_secret_file: users.htpasswd" +
         extra + "}";
}

std::vector<Case> realm_cases() {
  return {
      {"BearerKeyOnABasicRealmIsAnError", edit("store: staff}", "store: staff, jwks_file: x.json}"), E,
       "realms.staff.jwks_file: 'jwks_file' applies to bearer realms only (this realm's scheme is basic)",
       "x.json", "a Basic realm has no keys"},
      {"NoKeySourceIsAnError", edit("    jwks_file: bearer/es256.jwks.json\n", ""), E,
       "realms.api: a bearer realm needs exactly one key source: jwks_file, pem_file, hmac_secret_file, "
       "jwks, "
       "oidc or introspection",
       "scheme: bearer", "nothing to verify tokens with"},
      {"TwoKeySourcesAreAnError", realm_line("algorithms:", "pem_file: bearer/rsa.pub.pem\n    algorithms:"),
       E,
       "realms.api.pem_file: more than one key source ('jwks_file' and 'pem_file'): a bearer realm has "
       "exactly one",
       "bearer/rsa.pub.pem", "which keys count would be a guess"},
      {"RemoteAndLocalKeysAreAnError",
       realm_line("algorithms:", "jwks: {url: \"https://issuer.example/jwks\"}\n    algorithms:"), E,
       "realms.api.jwks: more than one key source ('jwks_file' and 'jwks')", "{url: \"https://issuer",
       "one source"},
      {"MissingAlgorithmsIsAnError", edit("    algorithms: [ES256]\n", ""), E,
       "realms.api: needs 'algorithms': the JWS algorithms its tokens may use", "scheme: bearer",
       "the token's alg alone is never trusted"},
      {"EmptyAlgorithmsIsAnError", edit("[ES256]", "[]"), E, "realms.api: needs 'algorithms'",
       "scheme: bearer", "an empty list accepts nothing"},
      {"AlgNoneIsRefused", edit("[ES256]", "[ES256, None]"), E,
       "realms.api.algorithms[1]: 'none' is never accepted: an unsigned token proves nothing (RFC 8725 §3.2)",
       "None]", "unsigned tokens, in any spelling"},
      {"UnknownAlgorithmIsAnError", edit("[ES256]", "[ES256, es256]"), E,
       "realms.api.algorithms[1]: unknown algorithm 'es256' (supported: RS256, RS384, RS512, PS256, PS384, "
       "PS512, ES256, ES384, ES512, EdDSA, HS256, HS384, HS512)",
       "es256]", "alg names are case-sensitive (RFC 7515 §4.1.1)"},
      {"DuplicateAlgorithmIsAnError", edit("[ES256]", "[ES256, ES256]"), E,
       "realms.api.algorithms[1]: algorithm 'ES256' is listed twice", "ES256]", "a typo for another one"},
      {"HmacMixedWithPublicIsAnError", edit("[ES256]", "[ES256, HS256]"), E,
       "realms.api.algorithms: HMAC (HS*) and public-key algorithms are mixed; a realm accepts one kind",
       "[ES256, HS256]", "RFC 8725 §3.1 key confusion"},
      {"HmacWithAPemKeyIsAnError",
       edit({{"jwks_file: bearer/es256.jwks.json", "pem_file: bearer/rsa.pub.pem"}, {"[ES256]", "[HS256]"}}),
       E,
       "realms.api.algorithms: HS* algorithms need a shared secret ('hmac_secret_file'); 'pem_file' provides "
       "public keys",
       "[HS256]", "a public key is never an HMAC secret"},
      {"PublicAlgorithmWithASecretIsAnError",
       edit({{"jwks_file: bearer/es256.jwks.json", "hmac_secret_file: bearer/hs.secret"}}), E,
       "realms.api.algorithms: an HMAC secret verifies only HS256, HS384 or HS512", "[ES256]",
       "a secret cannot verify signatures"},
      {"KeyIdWithAJwksIsAnError", realm_line("algorithms:", "key_id: k1\n    algorithms:"), E,
       "realms.api.key_id: applies to pem_file and hmac_secret_file only (a JWKS names its own kids)", "k1",
       "a JWKS names its kids"},
      {"UnreadableKeyFileIsAnError", edit("bearer/es256.jwks.json", "bearer/missing.json"), E,
       "realms.api.jwks_file: cannot read '", "bearer/missing.json", "files are checked at load"},
      {"HttpJwksUrlIsAnError",
       edit("jwks_file: bearer/es256.jwks.json", "jwks: {url: \"http://issuer.example/jwks\"}"), E,
       "realms.api.jwks.url: must be https:// (http:// only to a loopback address)", "\"http://issuer",
       "keys decide who may mint tokens"},
      {"HttpOidcIssuerIsAnError",
       edit("jwks_file: bearer/es256.jwks.json", "oidc: {issuer: \"http://issuer.example\"}"), E,
       "realms.api.oidc.issuer: must be https://", "\"http://issuer", "discovery too"},
      {"JwksUrlWithoutUrlIsAnError",
       edit("jwks_file: bearer/es256.jwks.json", "jwks: {refresh_interval: 5m}"), E,
       "realms.api.jwks: missing required key 'url'", "{refresh_interval", "a remote source needs its URL"},
      {"MinRefreshLongerThanRefreshIsAnError",
       edit("jwks_file: bearer/es256.jwks.json",
            "jwks: {url: \"https://i.example/k\", refresh_interval: 1m, min_refresh_interval: 2m}"),
       E, "realms.api.jwks.min_refresh_interval: must not be longer than refresh_interval", "2m",
       "the floor above the ceiling"},
      {"RefreshIntervalBelowTenSecondsIsAnError",
       edit("jwks_file: bearer/es256.jwks.json",
            "jwks: {url: \"https://i.example/k\", refresh_interval: 1s}"),
       E, "realms.api.jwks.refresh_interval: must be from 10s to 24h, got '1s'", "1s}",
       "do not hammer the issuer"},
      {"UnknownKeyInJwksIsAnError",
       edit("jwks_file: bearer/es256.jwks.json", "jwks: {url: \"https://i.example/k\", refresh: 1m}"), E,
       "realms.api.jwks.refresh: unknown key", "refresh:", "typos are errors"},
      {"IntrospectionNeedsClientCredentials",
       edit({{"jwks_file: bearer/es256.jwks.json", "introspection: {url: \"https://i.example/introspect\"}"},
             {"    algorithms: [ES256]\n", ""}}),
       E, "realms.api.introspection: needs client_id and client_secret_file (RFC 7662 §2.1)",
       "{url: \"https://i.example/introspect", "the gateway authenticates to the endpoint as a client"},
      {"IntrospectionTakesNoAlgorithms",
       edit("jwks_file: bearer/es256.jwks.json",
            "introspection: {url: \"https://i.example/introspect\", client_id: gw, "
            "client_secret_file: users.htpasswd}"),
       E, "realms.api.algorithms: applies to JWT key sources; an introspected token is opaque", "[ES256]",
       "an opaque token has no alg"},
      {"IntrospectionTakesNoTyp",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection("")},
             {"    algorithms: [ES256]\n", "    typ: at+jwt\n"}}),
       E, "realms.api.typ: applies to JWT key sources; an introspected token is opaque", "at+jwt",
       "an opaque token has no JOSE header"},
      {"IntrospectionTakesNoRequiredClaims",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection("")},
             {"    algorithms: [ES256]\n", "    required_claims: [jti]\n"}}),
       E, "realms.api.required_claims: applies to JWT key sources; an introspected token is opaque", "[jti]",
       "would be silently ignored"},
      {"IntrospectionTakesNoKeyId",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection("")},
             {"    algorithms: [ES256]\n", "    key_id: k1\n"}}),
       E, "realms.api.key_id: applies to JWT key sources; an introspected token is opaque", "k1",
       "no key to name"},
      {"IntrospectionTakesNoRequireExp",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection("")},
             {"    algorithms: [ES256]\n", "    require_exp: false\n"}}),
       E,
       "realms.api.require_exp: applies to JWT key sources (an introspection answer's exp is optional, "
       "RFC 7662 §2.2)",
       "false", "would be silently ignored"},
      {"IntrospectionOverPlainHttpElsewhereIsRefused",
       edit({{"jwks_file: bearer/es256.jwks.json",
              "introspection: {url: \"http://i.example/introspect\", client_id: gw, "
              "client_secret_file: users.htpasswd}"},
             {"    algorithms: [ES256]\n", ""}}),
       E,
       "realms.api.introspection.url: must be https:// (http:// only to a loopback address), got "
       "'http://i.example/introspect'",
       "\"http://i.example/introspect\"", "the answer decides who gets in"},
      {"IntrospectionLeewayInMillisecondsIsAnError",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection("")},
             {"    algorithms: [ES256]\n", "    leeway: 1500ms\n"}}),
       E, "realms.api.leeway: must be whole seconds", "1500ms",
       "the answer's exp / nbf / iat are checked with the realm's leeway, as a JWT's"},
      {"IntrospectionNegativeCacheAboveTenMinutesIsAnError",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection(", negative_cache_ttl: 1h")},
             {"    algorithms: [ES256]\n", ""}}),
       E, "realms.api.introspection.negative_cache_ttl: must be from 0 to 10m, got '1h'", "1h}",
       "a refusal is cached briefly: an answer can change"},
      {"IntrospectionIdleConnectionsAreBounded",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection(", max_idle_connections: 100")},
             {"    algorithms: [ES256]\n", ""}}),
       E, "realms.api.introspection.max_idle_connections: expected a whole number from 0 to 64, got '100'",
       "100}", "every kept connection holds a socket at both ends"},
      {"IntrospectionIdleTimeoutBelowOneSecondIsAnError",
       edit({{"jwks_file: bearer/es256.jwks.json", introspection(", idle_timeout: 10ms")},
             {"    algorithms: [ES256]\n", ""}}),
       E, "realms.api.introspection.idle_timeout: must be from 1s to 10m, got '10ms'", "10ms}",
       "a shorter wait keeps nothing"},
      {"LeewayAboveTenMinutesIsAnError", realm_line("algorithms:", "leeway: 1h\n    algorithms:"), E,
       "realms.api.leeway: must be from 0 to 10m, got '1h'", "1h", "leeway is for clock skew"},
      {"LeewayInMillisecondsIsAnError", realm_line("algorithms:", "leeway: 1500ms\n    algorithms:"), E,
       "realms.api.leeway: must be whole seconds", "1500ms", "NumericDate checks are in seconds"},
      {"BadTypIsAnError", realm_line("algorithms:", "typ: \"at jwt\"\n    algorithms:"), E,
       "realms.api.typ: expected a media type such as at+jwt, got 'at jwt'", "\"at jwt\"", "RFC 7515 §4.1.9"},
      {"EmptyUserClaimIsAnError", realm_line("algorithms:", "user_claim: \"\"\n    algorithms:"), E,
       "realms.api.user_claim: must not be empty", "\"\"\n", "no identity otherwise"},
      {"BadChallengeScopeIsAnError", realm_line("algorithms:", "scope: \"read  \\\"x\\\"\"\n    algorithms:"),
       E, "realms.api.scope: expected scope tokens separated by single spaces (RFC 6750 §3)", "\"read",
       "it goes into scope=\"…\""},
      {"TinyMaxTokenBytesIsAnError", realm_line("algorithms:", "max_token_bytes: 100\n    algorithms:"), E,
       "realms.api.max_token_bytes: must be from 256 to 1MiB, got '100'", "100", "too small for any JWT"},
      {"BoolIsStrict", realm_line("algorithms:", "require_exp: no\n    algorithms:"), E,
       "realms.api.require_exp: expected true or false, got 'no'", "no\n", "the Norway problem"},
  };
}

std::vector<Case> route_cases() {
  return {
      {"ScopesOnABasicOnlyRouteAreAnError", edit("[staff]}", "[staff], scopes: [admin]}"), E,
       "routes[1].auth.scopes: needs a bearer realm in this route's 'realms'", "[admin]",
       "Basic has no scopes"},
      {"TokenInQueryOnABasicOnlyRouteIsAnError", edit("[staff]}", "[staff], token_in_query: true}"), E,
       "routes[1].auth.token_in_query: needs a bearer realm in this route's 'realms'", "true}",
       "only Bearer tokens travel there"},
      {"ClaimsOnABasicOnlyRouteAreAnError", edit("[staff]}", "[staff], claims: {role: admin}}"), E,
       "routes[1].auth.claims: needs a bearer realm in this route's 'realms'", "{role",
       "Basic has no claims"},
      {"ScopeWithASpaceIsAnError", edit("scopes: [read]", "scopes: [\"read write\"]"), E,
       "routes[0].auth.scopes[0]: expected one scope token (no spaces or quotes, RFC 6750 §3), got 'read "
       "write'",
       "\"read write\"", "list each scope"},
      {"ScopesNextToABasicRealmAreAWarning", edit("realms: [api]", "realms: [staff, api]"), W,
       "routes[0].auth.scopes: Basic users have no scopes or claims: they always get 403 on this route",
       "[read]", "a likely mistake, but legal"},
      {"ClaimWithNoValueIsAnError", edit("scopes: [read]", "claims: {role: []}"), E,
       "routes[0].auth.claims.role: lists no value", "[]}", "use required_claims for presence"},
      {"ClaimValueMustBeAScalar", edit("scopes: [read]", "claims: {role: {a: b}}"), E,
       "routes[0].auth.claims.role: expected a string or a list of strings", "{a: b}", "one value or a list"},
      {"TwoBearerRealmsOnARouteAreAnError",
       edit({{"routes:\n",
              "  api2: {scheme: bearer, pem_file: bearer/rsa.pub.pem, algorithms: [RS256]}\nroutes:\n"},
             {"realms: [api]", "realms: [api, api2]"}}),
       E, "routes[0].auth.realms[1]: another realm of this route already uses scheme 'bearer'", "api2]",
       "a token does not say which realm it is for"},
  };
}

class ValidateBearerRealmTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateBearerRealmTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Realms, ValidateBearerRealmTest, ::testing::ValuesIn(realm_cases()),
                         [](const auto& p) { return p.param.name; });

class ValidateBearerRouteTest : public ::testing::TestWithParam<Case> {};
TEST_P(ValidateBearerRouteTest, IsReportedAtItsPosition) { expect_case(GetParam()); }
INSTANTIATE_TEST_SUITE_P(Routes, ValidateBearerRouteTest, ::testing::ValuesIn(route_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(ValidateBearerTest, TheBaseConfigIsValid) {
  const Problems problems = testing::validate_text(bearer_yaml);
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

TEST(ValidateBearerTest, AGroupsClaimCountsAsAGroupSource) {
  const Problems problems =
      testing::validate_text(edit({{"audiences: [api]\n", "audiences: [api]\n    groups_claim: groups\n"},
                                   {"scopes: [read]", "groups: [admins]"}}));
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

TEST(ValidateBearerTest, OidcIssuerIsTheDefaultTokenIssuer) {
  auto config =
      load_yaml_string(edit({{"jwks_file: bearer/es256.jwks.json", "oidc: {issuer: \"https://id.example\"}"},
                             {"    issuer: \"https://issuer.example\"\n", ""}}),
                       testing::data_dir() + "/oidc.yaml");
  ASSERT_TRUE(config.has_value()) << testing::all_text(config.error());
  const Problems problems = validate(*config);
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
  EXPECT_EQ(config->realms[1].bearer.issuer, "https://id.example") << "OpenID Connect Discovery §4.3";
}

TEST(ValidateBearerTest, LoopbackHttpJwksUrlIsAllowed) {
  const Problems problems = testing::validate_text(
      edit("jwks_file: bearer/es256.jwks.json", "jwks: {url: \"http://127.0.0.1:8081/jwks\", timeout: 2s}"));
  EXPECT_TRUE(problems.empty()) << testing::all_text(problems);
}

}  // namespace
}  // namespace authgate::config
