// The `state` section: read, validated at its own file:line:col, and compiled into the snapshot's store —
// in memory by default, a Redis store (TLS, a pool of connections) shared by reloads when configured, and
// none opened by `check`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/compile.hpp"
#include "validate_cases.hpp"

namespace authgate::config {
namespace {

using testing::Case;
using testing::edit;
using testing::expect_case;
constexpr Severity E = Severity::error;

std::string with_state(const std::string& redis) {
  return std::string(testing::base_yaml) + "state:\n  redis: " + redis + "\n";
}

std::vector<Case> state_cases() {
  return {
      {"UrlThatDoesNotParse", with_state("{url: \"http://127.0.0.1:6379\"}"), E, "state.redis.url",
       "\"http://127.0.0.1:6379\"", "the store's own parser: only redis://, unix: or a socket path"},
      {"TimeoutBelowTenMilliseconds", with_state("{timeout: 5ms}"), E,
       "state.redis.timeout: expected 10ms to 10s", "5ms", "a loopback round trip under load"},
      {"TimeoutAboveTenSeconds", with_state("{timeout: 30s}"), E, "expected 10ms to 10s", "30s",
       "a dead Redis would hold every request that long"},
      {"PrefixWithABraceMovesTheHashTag", with_state("{key_prefix: \"ag{x}:\"}"), E,
       "state.redis.key_prefix: may not contain { or }", "\"ag{x}:\"", "Redis Cluster slots"},
      {"PrefixWithASpace", with_state("{key_prefix: \"a g:\"}"), E, "at most 64 printable characters",
       "\"a g:\"", ""},
      {"MissingPasswordFile", with_state("{password_file: state/none.password}"), E,
       "state.redis.password_file: cannot read", "state/none.password", ""},
      {"EmptyPasswordFile", with_state("{password_file: state/empty.password}"), E,
       "the password file is empty", "state/empty.password", "an empty AUTH is a mistake, not a choice"},
      {"UnknownKey", with_state("{pool_size: 4}"), E, "pool_size", "pool_size", "a typo is not ignored"},
      {"PoolOfNone", with_state("{pool: 0}"), E, "state.redis.pool: expected a whole number from 1 to 64",
       "0}", "at least one connection"},
      {"PoolAboveSixtyFour", with_state("{pool: 65}"), E, "from 1 to 64", "65", "Redis is one thread"},
      {"MissingCaFile", with_state("{url: \"rediss://cache\", tls: {ca_file: state/none.pem}}"), E,
       "state.redis.tls.ca_file: cannot read", "state/none.pem", "serve would fail to load it"},
      {"MissingClientKeyFile", with_state("{tls: {cert_file: server.crt, key_file: state/none.key}}"), E,
       "state.redis.tls.key_file: cannot read", "state/none.key", ""},
      {"ClientCertificateWithoutKey", with_state("{tls: {cert_file: server.crt}}"), E,
       "state.redis.tls.cert_file: needs key_file too", "server.crt", "mutual TLS sends both or neither"},
      {"ClientKeyWithoutCertificate", with_state("{tls: {key_file: server.key}}"), E,
       "state.redis.tls.key_file: needs cert_file too", "server.key", ""},
      {"TlsOverAUnixSocket", with_state("{url: \"unix:/run/redis.sock\", tls: {ca_file: ca.pem}}"), E,
       "state.redis.tls: TLS needs a TCP url", "{ca_file", "Redis serves TLS on TCP only"},
      {"ServerNameThatIsNoName", with_state("{tls: {server_name: \"redis host\"}}"), E,
       "state.redis.tls.server_name: expected a DNS name or an IP address", "\"redis host\"",
       "it would never match a certificate"},
      {"UnknownTlsKey", with_state("{tls: {verify: false}}"), E, "verify", "verify",
       "there is no switch to turn verification off"},
  };
}

class ValidateStateTest : public ::testing::TestWithParam<Case> {};

TEST_P(ValidateStateTest, IsReportedAtItsPosition) { expect_case(GetParam()); }

INSTANTIATE_TEST_SUITE_P(State, ValidateStateTest, ::testing::ValuesIn(state_cases()),
                         [](const auto& p) { return p.param.name; });

Config load(const std::string& yaml) {
  auto config = load_yaml_string(yaml, testing::data_dir() + "/case.yaml");
  EXPECT_TRUE(config.has_value()) << (config ? "" : testing::all_text(config.error()));
  return config ? std::move(*config) : Config{};
}

TEST(LoadState, AbsentMeansInMemory) { EXPECT_FALSE(load(testing::base_yaml).state.redis.has_value()); }

TEST(LoadState, EveryKeyIsReadAndThePasswordFileResolvedAgainstTheConfigDirectory) {
  const Config config =
      load(with_state("{url: \"redis://10.0.0.5:6380/2\", timeout: 100ms, key_prefix: \"ag1:\", "
                      "password_file: state/redis.password}"));
  ASSERT_TRUE(config.state.redis.has_value());
  EXPECT_EQ(config.state.redis->url, "redis://10.0.0.5:6380/2");
  EXPECT_EQ(config.state.redis->timeout, std::chrono::milliseconds(100));
  EXPECT_EQ(config.state.redis->key_prefix, "ag1:");
  EXPECT_EQ(config.state.redis->password_file, testing::data_dir() + "/state/redis.password");
  Config valid = load(with_state("{password_file: state/redis.password}"));
  const Problems problems = validate(valid);
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
}

TEST(LoadState, AnEmptyRedisBlockTakesTheDefaults) {
  const Config config = load(with_state("{}"));
  ASSERT_TRUE(config.state.redis.has_value());
  EXPECT_EQ(config.state.redis->url, "redis://127.0.0.1:6379/0");
  EXPECT_EQ(config.state.redis->timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(config.state.redis->key_prefix, "authgate:");
  EXPECT_FALSE(config.state.redis->tls.has_value()) << "plain TCP";
  EXPECT_EQ(config.state.redis->pool, 1U);
}

TEST(LoadState, TlsFilesAreResolvedAgainstTheConfigDirectoryAndThePoolRead) {
  Config config =
      load(with_state("{url: \"rediss://cache.internal:6380\", pool: 8, tls: {ca_file: ca.pem, "
                      "cert_file: server.crt, key_file: server.key, server_name: redis.internal}}"));
  ASSERT_TRUE(config.state.redis.has_value() && config.state.redis->tls.has_value());
  const RedisState::Tls& tls = *config.state.redis->tls;
  EXPECT_EQ(tls.ca_file, testing::data_dir() + "/ca.pem");
  EXPECT_EQ(tls.cert_file, testing::data_dir() + "/server.crt");
  EXPECT_EQ(tls.key_file, testing::data_dir() + "/server.key");
  EXPECT_EQ(tls.server_name, "redis.internal");
  EXPECT_EQ(config.state.redis->pool, 8U);
  const Problems problems = validate(config);
  EXPECT_FALSE(has_errors(problems)) << testing::all_text(problems);
  EXPECT_TRUE(load(with_state("{tls: {}}")).state.redis->tls.has_value()) << "an empty tls map turns TLS on";
}

// Port 9 (discard) on loopback: nothing answers, and nothing here waits for it.
constexpr const char* unreachable = "{url: \"redis://127.0.0.1:9\", password_file: state/redis.password}";

TEST(CompileState, CheckValidatesARedisStateButOpensNoConnection) {
  const auto snapshot = compile(load(with_state(unreachable)), 1, nullptr, StateConnection::offline);
  ASSERT_TRUE(snapshot.has_value()) << testing::all_text(snapshot.error());
  EXPECT_TRUE((*snapshot)->state->completes_inline()) << "offline: the process's in-memory store";
}

TEST(CompileState, ServeOpensOneRedisStoreThatEveryReloadOfTheSameSectionKeeps) {
  const auto first = compile(load(with_state(unreachable)), 1);
  const auto second = compile(load(with_state(unreachable)), 2);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_FALSE((*first)->state->completes_inline()) << "a networked store";
  EXPECT_EQ((*first)->state, (*second)->state) << "a reload keeps the connection and every count";
  for (const auto& route : (*first)->routes) EXPECT_EQ(route.state, (*first)->state.get());
  const auto other = compile(load(with_state("{url: \"redis://127.0.0.1:9\", key_prefix: \"b:\"}")), 3);
  ASSERT_TRUE(other.has_value());
  EXPECT_NE((*other)->state, (*first)->state) << "another prefix is another key space";
}

TEST(CompileState, TlsSettingsAndThePoolArePartOfTheStoresIdentity) {
  // An empty tls map: the system's trust store, which loads; nothing is reached on port 9.
  const std::string tls = "{url: \"redis://127.0.0.1:9\", tls: {}}";
  const auto first = compile(load(with_state(tls)), 1);
  const auto again = compile(load(with_state(tls)), 2);
  const auto plain = compile(load(with_state("{url: \"redis://127.0.0.1:9\"}")), 3);
  const auto named =
      compile(load(with_state("{url: \"redis://127.0.0.1:9\", tls: {server_name: r.example}}")), 4);
  const auto pooled = compile(load(with_state("{url: \"redis://127.0.0.1:9\", tls: {}, pool: 2}")), 5);
  ASSERT_TRUE(first && again && plain && named && pooled);
  EXPECT_EQ((*first)->state, (*again)->state) << "the same TLS settings: the same connections";
  EXPECT_NE((*first)->state, (*plain)->state) << "TLS on is another connection";
  EXPECT_NE((*first)->state, (*named)->state) << "another name to verify";
  EXPECT_NE((*first)->state, (*pooled)->state) << "another pool size";
}

TEST(CompileState, ATlsFileThatDoesNotLoadIsAnErrorAtTheTlsBlock) {
  // ca.pem is readable (validate() passes) but holds no certificate: only loading it tells.
  const std::string yaml = with_state("{url: \"redis://127.0.0.1:9\", tls: {ca_file: ca.pem}}");
  const auto snapshot = compile(load(yaml), 1);
  ASSERT_FALSE(snapshot.has_value());
  const auto problem = testing::find_problem(snapshot.error(), "redis tls: cannot use ca_file");
  ASSERT_TRUE(problem.has_value()) << testing::all_text(snapshot.error());
  EXPECT_EQ(problem->pos.line, testing::position_in(yaml, "{ca_file").line);
  EXPECT_NE(problem->to_string().find(testing::data_dir() + "/ca.pem"), std::string::npos)
      << "names the file";
}

TEST(CompileState, WithoutAStateSectionEverySnapshotSharesTheProcesssMemoryStore) {
  const auto first = compile(load(testing::base_yaml), 1);
  const auto second = compile(load(testing::base_yaml), 2, nullptr, StateConnection::offline);
  ASSERT_TRUE(first.has_value() && second.has_value());
  EXPECT_TRUE((*first)->state->completes_inline());
  EXPECT_EQ((*first)->state, (*second)->state);
}

}  // namespace
}  // namespace authgate::config
