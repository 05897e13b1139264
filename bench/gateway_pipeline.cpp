// The gateway's request path without sockets: what one authenticated request with a warm verify cache
// costs in CPU (parse the head, check it, match the route, find the credentials in the cache, decide,
// build the upstream head), the same through the Authenticator coroutine, and a rendered 401.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

#include "authgate/grammar/base64.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/policy/challenges.hpp"
#include "authgate/policy/decision.hpp"
#include "authgate/stores/password_hash.hpp"
#include "config/compile.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/worker_pool.hpp"
#include "http/head_check.hpp"
#include "http/headers.hpp"
#include "http/local_reply.hpp"
#include "http/request_target.hpp"

namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using namespace authgate;

schemes::Presented presented(std::string_view field) { return {field, schemes::scheme_of(field)}; }

const std::string head =
    "GET /app/api/v1/items?page=2 HTTP/1.1\r\n"
    "Host: app.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0\r\n"
    "Accept: application/json\r\n"
    "Accept-Language: en-GB,en;q=0.5\r\n"
    "Accept-Encoding: gzip, deflate, br\r\n"
    "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n"
    "Cookie: session=abc; theme=dark\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

const std::string hmac_secret(32, 'k');

/// An HS256 token for alice, valid for a day (the Bearer cache-hit case: the token is HMAC-keyed like a
/// password, so its length is what a cache hit pays for).
std::string make_token() {
  const auto exp = std::chrono::duration_cast<std::chrono::seconds>(
                       (std::chrono::system_clock::now() + std::chrono::hours(24)).time_since_epoch())
                       .count();
  const std::string signing_input =
      grammar::encode_base64url(R"({"alg":"HS256","typ":"JWT","kid":"k1"})") + "." +
      grammar::encode_base64url(
          R"({"sub":"alice","iss":"https://issuer.example","aud":"api","scope":"read write",)"
          R"("groups":["admins","staff"],"exp":)" +
          std::to_string(exp) + "}");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), hmac_secret.data(), static_cast<int>(hmac_secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + grammar::encode_base64url({reinterpret_cast<const char*>(mac), mac_size});
}

/// A compiled config with one Basic realm (alice:wonderland, bcrypt) and a route /app for any user, and
/// one Bearer realm (HS256) with a route /api.
struct Setup {
  std::filesystem::path dir;
  std::shared_ptr<const config::Snapshot> snapshot;
  stores::VerifyCache cache;
  gateway::WorkerPool pool{1, 16};
  gateway::Authenticator auth{pool, cache, std::chrono::minutes(5)};

  Setup() {
    std::string pattern = (std::filesystem::temp_directory_path() / "authgate-bench-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    std::ofstream{dir / "users"} << "alice:" << *stores::hash_bcrypt("wonderland", 10) << "\n";
    config::Config c;
    c.listeners.push_back(
        config::Listener{"main", "127.0.0.1", 8080, std::nullopt, std::nullopt, std::nullopt, {}, {}});
    config::Upstream app;
    app.name = "app";
    app.url = "http://127.0.0.1:3000";
    c.upstreams.push_back(app);
    c.stores.push_back(config::Store{"users", "htpasswd", (dir / "users").string(), "", {}});
    c.realms.push_back(config::Realm{"staff", "basic", "Staff", "users", false, {}, {}, {}});
    config::Route route;
    route.name = "app";
    route.match.path = "/app";
    route.upstream = "app";
    route.realms = {"staff"};
    c.routes.push_back(route);
    std::ofstream{dir / "hs.secret"} << hmac_secret;
    config::Realm api;
    api.name = "api";
    api.scheme = "bearer";
    api.realm = "api";
    api.bearer.hmac_secret_file = (dir / "hs.secret").string();
    api.bearer.key_id = "k1";
    api.bearer.algorithms = {"HS256"};
    api.bearer.issuer = "https://issuer.example";
    api.bearer.audiences = {"api"};
    api.bearer.groups_claim = "groups";
    c.realms.push_back(api);
    route.name = "api";
    route.match.path = "/api";
    route.realms = {"api"};
    c.routes.push_back(route);
    snapshot = *config::compile(std::move(c), 1);
    authenticate_once();  // warm the cache: the one bcrypt of this run
  }
  ~Setup() { std::filesystem::remove_all(dir); }

  Outcome authenticate_once() {
    asio::io_context context;
    Outcome outcome;
    const std::string_view field = "Basic YWxpY2U6d29uZGVybGFuZA==";
    asio::co_spawn(
        context,
        [&]() -> asio::awaitable<void> {
          const RequestFacts facts{"GET",       "/app", "app.example.com",
                                   "127.0.0.1", false,  std::chrono::system_clock::now(),
                                   std::nullopt};
          outcome = (co_await auth.authenticate(snapshot->routes.front(), presented(field), facts)).outcome;
        },
        asio::detached);
    context.run();
    return outcome;
  }
};

Setup& setup() {
  static Setup instance;
  return instance;
}

void BM_NormalizeTarget(benchmark::State& state) {
  for (auto _ : state) {
    auto target = gateway::parse_request_target("/app/api/v1/../v2/users/%7Ealice/./profile?x=1&y=%2F");
    benchmark::DoNotOptimize(target);
  }
}
BENCHMARK(BM_NormalizeTarget);

// Everything the I/O thread does for a cache hit, from the head bytes to the upstream head bytes.
void BM_AuthenticatedRequestWarmCache(benchmark::State& state) {
  auto& s = setup();
  const auto& route_table = *s.snapshot;
  const auto& realm = *route_table.routes.front().realms.front();
  const std::string space = std::string{realm.scheme->name()} + " realm=" + realm.name;
  const gateway::IdentityHeaders names;
  for (auto _ : state) {
    gateway::HeadArena arena;  // as the gateway parses: fields in the request's arena
    http::request_parser<http::buffer_body, gateway::HeadAllocator<char>> parser{
        std::piecewise_construct, std::tuple<>{}, std::make_tuple(gateway::HeadAllocator<char>{arena})};
    boost::system::error_code ec;
    parser.put(asio::buffer(head), ec);
    auto& request = parser.get();
    auto check = gateway::check_head(
        request.base(), parser.chunked(),
        {route_table.config.limits.max_header_count, route_table.config.limits.max_uri_bytes});
    const auto* route = route_table.match(check.host, check.target.path, request.method_string());
    const auto field = request[http::field::authorization];
    auto credentials = grammar::parse_credentials(field);
    const auto key = s.cache.key_for(space, field);
    auto identity = s.cache.find(key, realm.scheme->generation(), std::chrono::system_clock::now());
    const Outcome outcome = Authenticated{identity};
    const auto decision = policy::decide(route->requirement, outcome, policy::Side::origin);
    gateway::ForwardContext context;
    context.client_address = "192.0.2.1";
    context.identity_names = &names;
    context.identity = std::get<Authenticated>(outcome).identity.get();
    context.target = check.target.path + "?" + check.target.query;
    gateway::prepare_upstream_request(request.base(), context);
    std::ostringstream upstream_head;
    upstream_head << request.base();
    benchmark::DoNotOptimize(credentials);
    benchmark::DoNotOptimize(decision);
    benchmark::DoNotOptimize(upstream_head);
  }
}
BENCHMARK(BM_AuthenticatedRequestWarmCache);

// The Authenticator coroutine itself on a cache hit (extraction, key, lookup), one coroutine looping.
void BM_AuthenticatorCacheHit(benchmark::State& state) {
  auto& s = setup();
  asio::io_context context;
  const std::string_view field = "Basic YWxpY2U6d29uZGVybGFuZA==";
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        const RequestFacts facts{"GET",       "/app", "app.example.com",
                                 "127.0.0.1", false,  std::chrono::system_clock::now(),
                                 std::nullopt};
        for (auto _ : state) {
          auto result = co_await s.auth.authenticate(s.snapshot->routes.front(), presented(field), facts);
          benchmark::DoNotOptimize(result);
        }
      },
      asio::detached);
  context.run();
  state.counters["hashes"] = static_cast<double>(s.auth.scheme_calls());
}
BENCHMARK(BM_AuthenticatorCacheHit);

// The Authenticator on a Bearer cache hit: the issue's budget is ≤ 1 µs of gateway CPU per cached token.
void BM_AuthenticatorBearerCacheHit(benchmark::State& state) {
  auto& s = setup();
  asio::io_context context;
  const std::string field = "Bearer " + make_token();
  const std::string_view view = field;
  const auto& route = s.snapshot->routes.back();
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        const RequestFacts facts{"GET",       "/api", "app.example.com",
                                 "127.0.0.1", false,  std::chrono::system_clock::now(),
                                 std::nullopt};
        const auto first = co_await s.auth.authenticate(route, presented(view), facts);
        if (!std::holds_alternative<Authenticated>(first.outcome)) state.SkipWithError("token refused");
        for (auto _ : state) {
          auto result = co_await s.auth.authenticate(route, presented(view), facts);
          benchmark::DoNotOptimize(result);
        }
      },
      asio::detached);
  context.run();
  state.counters["token_bytes"] = static_cast<double>(field.size() - 7);
}
BENCHMARK(BM_AuthenticatorBearerCacheHit);

// What the gateway runs for cached credentials: Authenticator::cached() (no coroutine), as the judge's
// judge_now() does, after one authenticate() put them in the cache.
void run_cached(benchmark::State& state, const config::CompiledRoute& route, std::string_view field,
                const RequestFacts& facts) {
  auto& s = setup();
  asio::io_context context;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> { co_await s.auth.authenticate(route, presented(field), facts); },
      asio::detached);
  context.run();
  for (auto _ : state) {
    auto result = s.auth.cached(route, presented(field), facts);
    if (!result) state.SkipWithError("not cached");
    benchmark::DoNotOptimize(result);
  }
}

void BM_CachedBearerFastPath(benchmark::State& state) {
  const std::string field = "Bearer " + make_token();
  run_cached(
      state, setup().snapshot->routes.back(), field,
      {"GET", "/api", "app.example.com", "127.0.0.1", false, std::chrono::system_clock::now(), std::nullopt});
}
BENCHMARK(BM_CachedBearerFastPath);

void BM_CachedBasicFastPath(benchmark::State& state) {
  run_cached(
      state, setup().snapshot->routes.front(), "Basic YWxpY2U6d29uZGVybGFuZA==",
      {"GET", "/app", "app.example.com", "127.0.0.1", false, std::chrono::system_clock::now(), std::nullopt});
}
BENCHMARK(BM_CachedBasicFastPath);

// The whole judging step for cached Basic credentials, as the reverse proxy runs it per request:
// extraction, the cache, decide(). No coroutine.
void BM_JudgeNowCachedBasic(benchmark::State& state) {
  auto& s = setup();
  const auto& route = s.snapshot->routes.front();
  const std::string_view field = "Basic YWxpY2U6d29uZGVybGFuZA==";
  const RequestFacts facts{
      "GET", "/app", "app.example.com", "127.0.0.1", false, std::chrono::system_clock::now(), std::nullopt};
  asio::io_context context;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> { co_await s.auth.authenticate(route, presented(field), facts); },
      asio::detached);
  context.run();
  gateway::Judge judge{s.auth};
  const gateway::RequestView view{facts, {std::span{&field, 1}, std::nullopt, std::nullopt}};
  for (auto _ : state) {
    gateway::Judgement judgement;
    judge.judge_now(route, view, policy::Side::origin, judgement);
    if (!judgement.verdict || !judgement.verdict->allowed()) state.SkipWithError("not cached");
    benchmark::DoNotOptimize(judgement.verdict);
  }
}
BENCHMARK(BM_JudgeNowCachedBasic);

// The same token verified every time (HMAC, parse, claims): what the cache saves.
void BM_BearerVerifyUncached(benchmark::State& state) {
  auto& s = setup();
  const auto token = make_token();
  const auto credentials = grammar::parse_credentials("Bearer " + token);
  const auto& scheme = *s.snapshot->routes.back().realms.front()->scheme;
  const RequestFacts facts{
      "GET", "/api", "app.example.com", "127.0.0.1", false, std::chrono::system_clock::now(), std::nullopt};
  for (auto _ : state) {
    auto outcome = scheme.authenticate(*credentials, facts);
    benchmark::DoNotOptimize(outcome);
  }
}
BENCHMARK(BM_BearerVerifyUncached);

// A 401 with its challenge, rendered to wire bytes (the no-credentials path).
void BM_Render401(benchmark::State& state) {
  auto& s = setup();
  const auto& route = s.snapshot->routes.front();
  const Scheme* schemes[] = {route.realms.front()->scheme.get()};
  const auto decision = policy::decide(route.requirement, NoCredentials{}, policy::Side::origin);
  for (auto _ : state) {
    gateway::LocalReply reply;
    reply.status = decision.status;
    reply.challenges = policy::collect_challenges(decision, schemes, {});
    reply.date = "Sun, 06 Nov 1994 08:49:37 GMT";
    auto response = gateway::render_local_reply(reply);
    benchmark::DoNotOptimize(response.wire);
  }
}
BENCHMARK(BM_Render401);

}  // namespace
