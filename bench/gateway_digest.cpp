// What the gateway spends on one Digest request beyond the scheme's own verification: the Judge's whole
// step for a non-cacheable scheme (extraction, judge_now's miss, judge_rest's coroutine into the
// Authenticator, authenticate_async and its completion posted back to the I/O thread, decide, the
// Authentication-Info fields), compared with bench_schemes_digest_verify's BM_DigestVerifyAsync (the
// scheme alone). A fresh nc per iteration on one nonce, as in a client's keep-alive connection.
//   BM_JudgeDigest                the Judge, one coroutine looping on an io_context
//   BM_AuthenticationInfoField    the verdict's Authentication-Info rendered as a field value
// bench/README.md ("Micro-benchmarks: Digest") has the figures.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "authgate/grammar/serialize.hpp"
#include "authgate/schemes/digest_algorithm.hpp"
#include "config/compile.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace {

namespace asio = boost::asio;
using namespace authgate;
using schemes::digest::Algorithm;
namespace digest = schemes::digest;

constexpr std::string_view uri = "/digest/sha256";
constexpr std::size_t batch = 512;  // Authorization values made per pause of the timer
const std::string ha1 = digest::ha1(Algorithm::sha256, "bench", "bench", "bench-password");

/// A compiled config with one Digest realm (SHA-256, qop=auth, user "bench") on the route /digest.
struct Setup {
  std::filesystem::path dir;
  std::shared_ptr<const config::Snapshot> snapshot;
  stores::VerifyCache cache;
  gateway::WorkerPool pool{1, 16};
  gateway::Authenticator auth{pool, cache, std::chrono::minutes(5)};

  Setup() {
    std::string pattern = (std::filesystem::temp_directory_path() / "authgate-bench-XXXXXX").string();
    dir = ::mkdtemp(pattern.data());
    std::ofstream{dir / "users.htdigest"} << "bench:bench:SHA-256=" << ha1 << "\n";
    config::Config c;
    c.listeners.push_back(
        config::Listener{"main", "127.0.0.1", 8080, std::nullopt, std::nullopt, std::nullopt, {}, {}});
    config::Upstream app;
    app.name = "app";
    app.url = "http://127.0.0.1:3000";
    c.upstreams.push_back(app);
    c.stores.push_back(config::Store{"digest", "htdigest", (dir / "users.htdigest").string(), "", {}});
    c.realms.push_back(config::Realm{"digest", "digest", "bench", "digest", false, {}, {}, {}});
    config::Route route;
    route.name = "digest";
    route.match.path = "/digest";
    route.upstream = "app";
    route.realms = {"digest"};
    c.routes.push_back(route);
    auto compiled = config::compile(std::move(c), 1);
    if (!compiled) throw std::runtime_error("bench: the digest config did not compile");
    snapshot = *compiled;
  }
  ~Setup() { std::filesystem::remove_all(dir); }
  Setup(const Setup&) = delete;
  Setup& operator=(const Setup&) = delete;

  const config::CompiledRoute& route() const { return snapshot->routes.front(); }
};

/// Answers one nonce of the realm with nc = 1, 2, 3, … (RFC 7616 §3.4, qop=auth).
class Client {
 public:
  explicit Client(const Scheme& scheme) {
    const auto challenges = scheme.challenges(ChallengeContext{std::chrono::system_clock::now(), false});
    for (const auto& p : challenges.front().params) {
      if (p.name == "nonce") nonce_ = p.value;
      if (p.name == "opaque") opaque_ = p.value;
    }
  }

  std::string next() {
    char nc[9];
    std::snprintf(nc, sizeof nc, "%08x", ++nc_);
    const std::string response =
        digest::response(Algorithm::sha256, ha1, nonce_, nc, "0a4f113b5c6d7e8f", digest::Qop::auth,
                         digest::ha2(Algorithm::sha256, "GET", uri));
    return "Digest username=\"bench\", realm=\"bench\", nonce=\"" + nonce_ + "\", uri=\"" + std::string(uri) +
           "\", algorithm=SHA-256, qop=auth, cnonce=\"0a4f113b5c6d7e8f\", nc=" + nc + ", response=\"" +
           response + "\", opaque=\"" + opaque_ + "\"";
  }

 private:
  std::string nonce_, opaque_;
  std::uint32_t nc_ = 0;
};

RequestFacts facts() {
  return RequestFacts{"GET", uri, "127.0.0.1:8080", "127.0.0.1", false, std::chrono::system_clock::now(), {}};
}

void BM_JudgeDigest(benchmark::State& state) {
  Setup s;
  Client client(*s.route().realms.front()->scheme);
  gateway::Judge judge{s.auth};
  asio::io_context context;
  asio::co_spawn(
      context,
      [&]() -> asio::awaitable<void> {
        std::vector<std::string> values;
        std::size_t next = batch;
        RequestFacts request = facts();
        for (auto _ : state) {
          if (next == batch) {
            state.PauseTiming();
            values.clear();
            for (std::size_t i = 0; i < batch; ++i) values.push_back(client.next());
            request = facts();
            next = 0;
            state.ResumeTiming();
          }
          const std::string_view field = values[next++];
          const gateway::RequestView view{request, {std::span{&field, 1}, std::nullopt, std::nullopt}};
          gateway::Judgement judgement;
          judge.judge_now(s.route(), view, policy::Side::origin, judgement);
          if (!judgement.verdict) {
            judgement.verdict = co_await judge.judge_rest(s.route(), view, policy::Side::origin, judgement);
          }
          if (!judgement.verdict->allowed()) {
            state.SkipWithError("a fresh response was refused");
            break;
          }
          benchmark::DoNotOptimize(judgement.verdict);
        }
      },
      asio::detached);
  context.run();
}
BENCHMARK(BM_JudgeDigest);

void BM_AuthenticationInfoField(benchmark::State& state) {
  const std::vector<grammar::AuthParam> params = {{"qop", "auth"},
                                                  {"rspauth", digest::hash_hex(Algorithm::sha256, "x")},
                                                  {"cnonce", "0a4f113b5c6d7e8f"},
                                                  {"nc", "00000001"}};
  for (auto _ : state) benchmark::DoNotOptimize(grammar::to_field(std::span{params}));
}
BENCHMARK(BM_AuthenticationInfoField);

}  // namespace
