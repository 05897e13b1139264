// compile() of bearer realms: local keys loaded and checked against the algorithms (errors at the key
// source's position), key files watched, remote sources left empty for the refresher, route scopes and
// claims in the requirement, and the pinned clock reaching the scheme.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compile.hpp"
#include "config/load_yaml.hpp"
#include "config_test_util.hpp"
#include "jose_signer.hpp"

namespace authgate::config {
namespace {

using namespace std::chrono_literals;

class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  std::chrono::system_clock::time_point now() const noexcept override { return t_; }

 private:
  std::chrono::system_clock::time_point t_;
};

std::string config_with(const std::string& realm_keys, const std::string& auth_extra = "") {
  return "listeners:\n"
         "  - port: 8080\n"
         "upstreams:\n"
         "  app: {url: \"http://127.0.0.1:3000\"}\n"
         "realms:\n"
         "  api:\n"
         "    scheme: bearer\n"
         "    realm: \"API\"\n" +
         realm_keys +
         "routes:\n"
         "  - name: api\n"
         "    upstream: app\n"
         "    auth: {realms: [api]" +
         auth_extra + "}\n";
}

SnapshotResult compile_text(const std::string& yaml, std::shared_ptr<const Clock> clock = nullptr) {
  auto config = load_yaml_string(yaml, testing::data_dir() + "/bearer.yaml");
  if (!config) return config.error();
  return compile(std::move(*config), 3, std::move(clock));
}

struct KeyCase {
  std::string name;
  std::string realm_keys;
  std::string expected;  // substring of the one error
  int line;              // where it must point (1-based)
  std::string why;
};

class CompileBearerKeyErrorTest : public ::testing::TestWithParam<KeyCase> {};

TEST_P(CompileBearerKeyErrorTest, IsReportedAtTheKeySource) {
  const KeyCase& c = GetParam();
  const auto result = compile_text(config_with(c.realm_keys));
  ASSERT_FALSE(result.has_value()) << c.why;
  const auto problem = testing::find_problem(result.error(), c.expected);
  ASSERT_TRUE(problem.has_value()) << c.why << "\n" << testing::all_text(result.error());
  EXPECT_EQ(problem->pos.line, c.line) << problem->to_string();
}

INSTANTIATE_TEST_SUITE_P(
    Keys, CompileBearerKeyErrorTest,
    ::testing::Values(
        KeyCase{
            "ShortSecretForHs512", "    hmac_secret_file: bearer/short.secret\n    algorithms: [HS256]\n",
            "realms.api.hmac_secret_file: no key can verify HS256 (the HMAC secret is shorter than 32 bytes) "
            "of 'algorithms'",
            9, "RFC 7518 §3.2: the key must be at least as long as the hash"},
        KeyCase{"EcKeysForRs256", "    jwks_file: bearer/es256.jwks.json\n    algorithms: [RS256]\n",
                "realms.api.jwks_file: no key can verify RS256 of 'algorithms'", 9,
                "the realm would refuse every token"},
        KeyCase{"NotAJwks", "    jwks_file: bearer/not_json.jwks.json\n    algorithms: [ES256]\n",
                "realms.api.jwks_file: cannot use the JWKS: unparseable", 9,
                "a broken key file refuses the load"},
        KeyCase{"NotAPem", "    pem_file: bearer/es256.jwks.json\n    algorithms: [ES256]\n",
                "realms.api.pem_file: cannot use the key: unparseable", 9, "JSON is not PEM"}),
    [](const auto& p) { return p.param.name; });

TEST(CompileBearerTest, ASkippedJwksKeyIsAWarning) {
  const auto result =
      compile_text(config_with("    jwks_file: bearer/one_skipped.jwks.json\n    algorithms: [ES256]\n"));
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  ASSERT_EQ((*result)->warnings.size(), 1u);
  EXPECT_NE((*result)->warnings[0].find(
                "warning: realms.api.jwks_file: key 1 (kid 'enc1') skipped: not_for_signing"),
            std::string::npos)
      << (*result)->warnings[0];
}

TEST(CompileBearerTest, LocalKeysAreLoadedAndTheirFileIsWatched) {
  const auto result =
      compile_text(config_with("    jwks_file: bearer/es256.jwks.json\n    algorithms: [ES256]\n",
                               ", scopes: [read, write], claims: {role: [admin, ops], tier: gold}"));
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  const Snapshot& s = **result;
  ASSERT_EQ(s.realms.size(), 1u);
  EXPECT_EQ(s.realms[0].scheme->name(), "Bearer");
  EXPECT_EQ(s.realms[0].live_keys, nullptr) << "only remote realms expose their slot";
  EXPECT_EQ(s.realms[0].remote, nullptr);
  const auto challenge = s.realms[0].scheme->challenge({});
  ASSERT_EQ(challenge.params.size(), 1u);
  EXPECT_EQ(challenge.params[0].value, "API");
  const auto& file = s.config.realms[0].bearer.jwks_file;
  EXPECT_NE(std::find(s.watched_files.begin(), s.watched_files.end(), file), s.watched_files.end())
      << "replacing the key file must reload (key rotation)";
  const auto& req = s.routes[0].requirement;
  EXPECT_EQ(req.scopes, (std::vector<std::string>{"read", "write"}));
  ASSERT_EQ(req.claims.size(), 2u);
  EXPECT_EQ(req.claims[0].name, "role");
  EXPECT_EQ(req.claims[0].any_of, (std::vector<std::string>{"admin", "ops"}));
  EXPECT_EQ(req.claims[1].name, "tier");
  EXPECT_EQ(req.claims[1].any_of, std::vector<std::string>{"gold"});
}

TEST(CompileBearerTest, RemoteKeysGiveAnEmptySlotAndUnavailable) {
  const auto result = compile_text(
      config_with("    jwks: {url: \"https://issuer.example/jwks\", refresh_interval: 10m, ca_file: ca.pem}\n"
                  "    algorithms: [RS256]\n"));
  ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
  const CompiledRealm& realm = (*result)->realms[0];
  ASSERT_NE(realm.live_keys, nullptr);
  EXPECT_EQ(realm.live_keys->current(), nullptr) << "the refresher fills it";
  ASSERT_EQ(realm.remote, &*(*result)->config.realms[0].bearer.remote);
  EXPECT_EQ(realm.remote->jwks_url, "https://issuer.example/jwks");
  EXPECT_EQ(realm.remote->refresh_interval, 10min);
  const auto credentials = grammar::Credentials{"Bearer", "a.b.c", {}};
  const Outcome outcome = realm.scheme->authenticate(credentials, RequestFacts{});
  ASSERT_TRUE(std::holds_alternative<Unavailable>(outcome));
  EXPECT_EQ(std::get<Unavailable>(outcome).reason, Reason::keys_unavailable);
  const auto& watched = (*result)->watched_files;
  EXPECT_NE(std::find(watched.begin(), watched.end(), testing::data_dir() + "/ca.pem"), watched.end());
}

TEST(CompileBearerTest, ThePinnedClockDecidesExpiry) {
  const std::string secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::string token = test::hmac_jws(secret, jose::Alg::hs256, R"({"alg":"HS256"})",
                                           R"({"sub":"alice","exp":1700000000,"scope":"read"})");
  const std::string yaml = config_with("    hmac_secret_file: bearer/hs.secret\n    algorithms: [HS256]\n");
  const auto before = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000 - 10}};
  const auto after = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000 + 61}};
  const grammar::Credentials credentials{"Bearer", token, {}};
  for (const auto& [now, valid] : {std::pair{before, true}, std::pair{after, false}}) {
    const auto result = compile_text(yaml, std::make_shared<FixedClock>(now));
    ASSERT_TRUE(result.has_value()) << testing::all_text(result.error());
    EXPECT_EQ((*result)->clock->now(), now);
    const Outcome outcome = (*result)->realms[0].scheme->authenticate(credentials, RequestFacts{});
    EXPECT_EQ(std::holds_alternative<Authenticated>(outcome), valid) << "leeway is 60 s";
    if (valid) {
      EXPECT_EQ(std::get<Authenticated>(outcome).identity->user, "alice");
    }
  }
}

}  // namespace
}  // namespace authgate::config
