// validate() and compile() of `scheme: digest` realms: every mistake at its own file:line:col, and a
// store that cannot serve an algorithm refused at the store file's line.
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

constexpr const char* digest_yaml =
    "listeners:\n"
    "  - port: 8080\n"
    "upstreams:\n"
    "  app: {url: \"http://127.0.0.1:3000\"}\n"
    "stores:\n"
    "  dig: {type: htdigest, path: digest/users.htdigest}\n"
    "realms:\n"
    "  area:\n"
    "    scheme: digest\n"
    "    realm: \"Digest area\"\n"
    "    store: dig\n"
    "    digest: {algorithms: [SHA-256], qop: [auth]}\n"
    "routes:\n"
    "  - name: app\n"
    "    upstream: app\n"
    "    auth: {realms: [area]}\n";

std::string edit(const std::string& from, const std::string& to) {
  std::string text = digest_yaml;
  const auto at = text.find(from);
  if (at == std::string::npos) return "edit target not found: " + from;
  text.replace(at, from.size(), to);
  return text;
}
std::string keys(const std::string& digest) { return edit("{algorithms: [SHA-256], qop: [auth]}", digest); }

std::vector<Case> digest_cases() {
  return {
      {"UnknownAlgorithm", keys("{algorithms: [SHA-256, SHA-1]}"), E,
       "realms.area.digest.algorithms[1]: unknown algorithm 'SHA-1'", "SHA-1]", "RFC 7616 §3.3 names only"},
      {"AlgorithmTwice", keys("{algorithms: [SHA-256, sha-256]}"), E,
       "realms.area.digest.algorithms[1]: listed twice", "sha-256]",
       "names are case-insensitive; one challenge per algorithm"},
      {"NoAlgorithm", keys("{algorithms: []}"), E, "at least one algorithm", "[]}", ""},
      {"Md5FirstIsAWarning", keys("{algorithms: [MD5, SHA-256]}"), W, "MD5 listed before SHA-256",
       "[MD5, SHA-256]}", "clients take the first they can answer"},
      {"Md5OnlyIsAWarning", keys("{algorithms: [MD5]}"), W, "MD5 only", "[MD5]}", "legacy clients only"},
      {"UnknownQop", keys("{qop: [auth, auth-conf]}"), E,
       "realms.area.digest.qop[1]: unknown qop 'auth-conf'", "auth-conf]", ""},
      {"ShortLifetime", keys("{nonce_lifetime: 1s}"), E, "nonce_lifetime", "1s}", "at least 10 s"},
      {"UnknownKey", keys("{nonces: 5}"), E, "nonces", "nonces", "a typo is not ignored"},
      {"ShortSecret", keys("{nonce_secret_file: digest/short.secret}"), E, "at least 32 bytes",
       "digest/short.secret}", "an HMAC key an attacker could guess"},
      {"MissingSecret", keys("{nonce_secret_file: digest/none.secret}"), E, "nonce_secret_file: cannot read",
       "digest/none.secret}", ""},
      {"DigestKeysOnABasicRealm", edit("    scheme: digest\n", "    scheme: basic\n"), E,
       "'digest' applies to digest realms only (this realm's scheme is basic)", "{algorithms", ""},
      {"BasicRealmOnAnHtdigestStore",
       edit("    scheme: digest\n    realm: \"Digest area\"\n    store: dig\n    digest: {algorithms: "
            "[SHA-256], qop: [auth]}\n",
            "    scheme: basic\n    realm: \"Digest area\"\n    store: dig\n"),
       E, "a basic realm needs an htpasswd store", "dig\n", "an HA1 cannot check a Basic password"},
      {"QuoteInTheRealmIsAWarning", edit("\"Digest area\"", "\"Digest \\\"area\\\"\""), W,
       "locks out python requests and httpx (they send it back unescaped) and curl before 7.84",
       "\"Digest \\\"", "requests and httpx echo it unescaped; old curl hashed the escapes"},
      {"UnknownStoreType", edit("type: htdigest", "type: ldap"), E, "(supported: htpasswd, htdigest)", "ldap",
       ""},
  };
}

class ValidateDigestTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateDigestTest, IsReportedAtItsPosition) { expect_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(Digest, ValidateDigestTest, ::testing::ValuesIn(digest_cases()),
                         [](const auto& p) { return p.param.name; });

SnapshotResult compile_text(const std::string& yaml) {
  auto config = load_yaml_string(yaml, testing::data_dir() + "/case.yaml");
  if (!config) return config.error();
  return compile(std::move(*config), 1);
}

TEST(CompileDigest, ARealmWhoseStoreLacksAnHa1ItsAlgorithmsNeedIsRefusedAtTheStoreLine) {
  const auto refused = compile_text(keys("{algorithms: [SHA-256, SHA-512-256]}"));
  ASSERT_FALSE(refused.has_value());
  const auto problem = testing::find_problem(refused.error(), "has no SHA-512-256 HA1");
  ASSERT_TRUE(problem.has_value()) << testing::all_text(refused.error());
  EXPECT_EQ(problem->pos.file, testing::data_dir() + "/digest/users.htdigest");
  EXPECT_EQ(problem->pos.line, 3) << "simba's line: the user to fix with authgate passwd --digest";
  EXPECT_NE(problem->to_string().find("user 'simba' of realm 'Digest area'"), std::string::npos);
}

TEST(CompileDigest, AValidRealmCompilesIntoADigestSchemeWithTheProcesssStateStore) {
  const auto first =
      compile_text(keys("{algorithms: [SHA-256], userhash: true, nonce_secret_file: "
                        "digest/nonce.secret}"));
  ASSERT_TRUE(first.has_value()) << testing::all_text(first.error());
  const auto& snapshot = **first;
  ASSERT_EQ(snapshot.realms.size(), 1u);
  EXPECT_EQ(snapshot.realms[0].scheme->name(), "Digest");
  EXPECT_FALSE(snapshot.realms[0].scheme->is_cacheable());
  const auto challenge = snapshot.realms[0].scheme->challenge({std::chrono::system_clock::now(), false});
  EXPECT_EQ(challenge.params[0], (grammar::AuthParam{"realm", "Digest area"}));
  EXPECT_EQ(challenge.params.back(), (grammar::AuthParam{"userhash", "true"}));
  const auto second = compile_text(digest_yaml);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ((*second)->state, snapshot.state) << "a reload keeps every nonce count";
  EXPECT_NE(std::find(snapshot.watched_files.begin(), snapshot.watched_files.end(),
                      testing::data_dir() + "/digest/nonce.secret"),
            snapshot.watched_files.end());
}

}  // namespace
}  // namespace authgate::config
