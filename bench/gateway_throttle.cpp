// What brute-force throttling (issue 16) adds to a request whose credentials are in the verify cache: the
// ban check the judge runs before the cache (docs/throttling.md, "Before the cache") — the subject's keys
// (SHA-256 of the claimed user name and of the client address) and one state-store lookup per key —
// against the same judging step on a config without `throttle:`. bench/compare's throttle scenarios
// measure the same under load; bench/README.md ("Throttle check cost (issue 16)") has the figures.
//   BM_JudgeNowCachedBasic / ...Throttled     Basic: extraction, [ban check,] the cache, decide()
//   BM_JudgeNowCachedBearer / ...Throttled    HS256 token: a Bearer token names no user, one key
//   BM_ThrottleSubject                        the two keys alone (Basic)
//   BM_JudgeCachedBasicRedis / ...Throttled   judge() with `state.redis`, one request at a time, wall time:
//                                             the ban check is one round trip; skipped unless
//                                             AUTHGATE_BENCH_REDIS_URL names a Redis (redis://127.0.0.1:P/0)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "authgate/grammar/base64.hpp"
#include "authgate/stores/password_hash.hpp"
#include "config/compile.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/throttle.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace {

namespace asio = boost::asio;
using namespace authgate;

const std::string basic_field = "Basic YWxpY2U6d29uZGVybGFuZA==";  // alice:wonderland
const std::string hmac_secret(32, 'k');

/// An HS256 token for alice, valid for a day.
std::string make_token() {
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                       (std::chrono::system_clock::now() + std::chrono::hours(24)).time_since_epoch())
                       .count();
  const std::string signing_input =
      grammar::encode_base64url(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." +
      grammar::encode_base64url(R"({"sub":"alice","iss":"https://issuer.example","aud":"api","exp":)" +
                                std::to_string(exp) + "}");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), hmac_secret.data(), static_cast<int>(hmac_secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + grammar::encode_base64url({reinterpret_cast<const char*>(mac), mac_size});
}

const std::string bearer_field = "Bearer " + make_token();

RequestFacts facts_for(std::string_view path) {
  return {"GET", path, "app.example.com", "127.0.0.1", false, std::chrono::system_clock::now(), std::nullopt};
}

/// The config of bench_gateway_pipeline (a Basic route /app over bcrypt, a Bearer HS256 route /api), with
/// `throttle:` at its defaults when `throttled`, and `state.redis` at `redis_url` when not empty. Both
/// credentials are verified once, so every measured request is a cache hit.
struct Setup {
  std::filesystem::path dir;
  std::shared_ptr<const config::Snapshot> snapshot;
  stores::VerifyCache cache;
  gateway::WorkerPool pool{1, 16};
  gateway::Authenticator auth{pool, cache, std::chrono::minutes(5)};

  Setup(bool throttled, const std::string& redis_url) {
    std::string pattern = (std::filesystem::temp_directory_path() / "authgate-bench-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    std::ofstream{dir / "users"} << "alice:" << *stores::hash_bcrypt("wonderland", 10) << "\n";
    std::ofstream{dir / "hs.secret"} << hmac_secret;
    auto compiled = config::compile(make_config(throttled, redis_url), 1);
    if (!compiled) throw std::runtime_error("bench: the throttle config did not compile");
    snapshot = *compiled;
    warm(basic(), basic_field, "/app");
    warm(bearer(), bearer_field, "/api");
  }
  ~Setup() { std::filesystem::remove_all(dir); }
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;

  const config::CompiledRoute& basic() const { return snapshot->routes.front(); }
  const config::CompiledRoute& bearer() const { return snapshot->routes.back(); }

 private:
  config::Config make_config(bool throttled, const std::string& redis_url) const {
    config::Config c;
    c.listeners.push_back(
        config::Listener{"main", "127.0.0.1", 8080, std::nullopt, std::nullopt, std::nullopt, {}, {}});
    config::Upstream app;
    app.name = "app";
    app.url = "http://127.0.0.1:3000";
    c.upstreams.push_back(app);
    c.stores.push_back(config::Store{"users", "htpasswd", (dir / "users").string(), "", {}});
    c.realms.push_back(config::Realm{"staff", "basic", "Staff", "users", false, {}, {}, {}});
    config::Realm api;
    api.name = "api";
    api.scheme = "bearer";
    api.realm = "api";
    api.bearer.hmac_secret_file = (dir / "hs.secret").string();
    api.bearer.key_id = "k1";
    api.bearer.algorithms = {"HS256"};
    api.bearer.issuer = "https://issuer.example";
    api.bearer.audiences = {"api"};
    c.realms.push_back(api);
    config::Route route;
    route.name = "app";
    route.match.path = "/app";
    route.upstream = "app";
    route.realms = {"staff"};
    c.routes.push_back(route);
    route.name = "api";
    route.match.path = "/api";
    route.realms = {"api"};
    c.routes.push_back(route);
    if (throttled) c.throttle = config::Throttle{};
    if (!redis_url.empty()) {
      c.state.redis.emplace();
      c.state.redis->url = redis_url;
    }
    return c;
  }

  void warm(const config::CompiledRoute& route, std::string_view field, std::string_view path) {
    asio::io_context context;
    const auto facts = facts_for(path);
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          co_await auth.authenticate(route, {field, schemes::scheme_of(field)}, facts);
        },
        asio::detached);
    context.run();
  }
};

Setup& setup(bool throttled) {
  static Setup plain{false, ""};
  static Setup with_throttle{true, ""};
  return throttled ? with_throttle : plain;
}

/// judge_now() on cached credentials: what the reverse proxy runs per request when nothing waits.
void judge_now(benchmark::State& state, Setup& s, const config::CompiledRoute& route, std::string_view field,
               std::string_view path) {
  gateway::Judge judge{s.auth};
  const gateway::RequestView view{facts_for(path), {std::span{&field, 1}, std::nullopt, std::nullopt}};
  for (auto _ : state) {
    gateway::Judgement judgement;
    judge.judge_now(route, view, policy::Side::origin, judgement);
    if (!judgement.verdict || !judgement.verdict->allowed()) state.SkipWithError("not judged inline");
    benchmark::DoNotOptimize(judgement.verdict);
  }
}

void BM_JudgeNowCachedBasic(benchmark::State& state) {
  judge_now(state, setup(false), setup(false).basic(), basic_field, "/app");
}
BENCHMARK(BM_JudgeNowCachedBasic);

void BM_JudgeNowCachedBasicThrottled(benchmark::State& state) {
  judge_now(state, setup(true), setup(true).basic(), basic_field, "/app");
}
BENCHMARK(BM_JudgeNowCachedBasicThrottled);

void BM_JudgeNowCachedBearer(benchmark::State& state) {
  judge_now(state, setup(false), setup(false).bearer(), bearer_field, "/api");
}
BENCHMARK(BM_JudgeNowCachedBearer);

void BM_JudgeNowCachedBearerThrottled(benchmark::State& state) {
  judge_now(state, setup(true), setup(true).bearer(), bearer_field, "/api");
}
BENCHMARK(BM_JudgeNowCachedBearerThrottled);

void BM_ThrottleSubject(benchmark::State& state) {
  const auto& route = setup(true).basic();
  const auto facts = facts_for("/app");
  const schemes::Presented presented{basic_field, schemes::scheme_of(basic_field)};
  for (auto _ : state) benchmark::DoNotOptimize(gateway::throttle_subject(route, presented, facts));
}
BENCHMARK(BM_ThrottleSubject);

/// judge() through its coroutine, one request at a time on one io_context: with `state.redis` the ban
/// check is a round trip to Redis, answered on the store's own thread and resumed here.
void judge_waiting(benchmark::State& state, bool throttled) {
  const char* url = std::getenv("AUTHGATE_BENCH_REDIS_URL");
  if (url == nullptr || *url == '\0') {
    state.SkipWithError("AUTHGATE_BENCH_REDIS_URL not set");
    return;
  }
  static Setup plain{false, url};
  static Setup with_throttle{true, url};
  Setup& s = throttled ? with_throttle : plain;
  gateway::Judge judge{s.auth};
  const std::string_view field = basic_field;
  const gateway::RequestView view{facts_for("/app"), {std::span{&field, 1}, std::nullopt, std::nullopt}};
  asio::io_context context;
  bool allowed = true;
  for (auto _ : state) {
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          allowed = (co_await judge.judge(s.basic(), view, policy::Side::origin)).allowed();
        },
        asio::detached);
    context.run();
    context.restart();
    if (!allowed) state.SkipWithError("refused");
  }
}

void BM_JudgeCachedBasicRedis(benchmark::State& state) { judge_waiting(state, false); }
BENCHMARK(BM_JudgeCachedBasicRedis)->UseRealTime();

void BM_JudgeCachedBasicRedisThrottled(benchmark::State& state) { judge_waiting(state, true); }
BENCHMARK(BM_JudgeCachedBasicRedisThrottled)->UseRealTime();

}  // namespace
