// Throttling over a state store that answers later, from its own thread (Redis): the judge awaits the ban
// check before the verify cache, still answers 429 for a banned name, and fails OPEN — the credentials are
// verified as usual — when the store fails or times out.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "authgate/schemes/basic.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/authn/throttle.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using stores::FailureWindow;
using stores::StateResult;

constexpr const char* alice_right = "Basic YWxpY2U6c2VjcmV0";  // alice:secret
constexpr const char* alice_wrong = "Basic YWxpY2U6d3Jvbmc=";  // alice:wrong

/// The in-memory store, answering on a thread of its own after the call returned; `failing` makes every
/// read answer `timeout`, as a Redis that does not answer in time would.
class LaterStore : public stores::StateStore {
 public:
  LaterStore() : guard_(asio::make_work_guard(io_)), thread_([this] { io_.run(); }) {}
  ~LaterStore() override {
    guard_.reset();
    thread_.join();
  }
  LaterStore(const LaterStore&) = delete;
  LaterStore& operator=(const LaterStore&) = delete;

  std::atomic<bool> failing{false};
  std::atomic<int> reads{0};

  void add_failure(std::string_view key, Duration window, Callback<FailureWindow> done) override {
    inner_->add_failure(key, window, later(std::move(done)));
  }
  void failures(std::string_view key, Callback<FailureWindow> done) override {
    reads.fetch_add(1);
    if (failing) {
      asio::post(io_, [done = std::move(done)] {
        done(StateResult<FailureWindow>{stores::StateError{stores::StateError::Code::timeout, "test"}});
      });
      return;
    }
    inner_->failures(key, later(std::move(done)));
  }
  void clear_failures(std::string_view key, Callback<void> done) override {
    inner_->clear_failures(key, later(std::move(done)));
  }
  void issue_nonce(std::string_view nonce, Duration ttl, Callback<void> done) override {
    inner_->issue_nonce(nonce, ttl, later(std::move(done)));
  }
  void use_nonce(std::string_view nonce, std::uint32_t nc, Callback<stores::NonceUse> done) override {
    inner_->use_nonce(nonce, nc, later(std::move(done)));
  }
  void deny(std::string_view key, Duration ttl, Callback<void> done) override {
    inner_->deny(key, ttl, later(std::move(done)));
  }
  void is_denied(std::string_view key, Callback<bool> done) override {
    inner_->is_denied(key, later(std::move(done)));
  }
  bool denied_locally(std::string_view key) const noexcept override { return inner_->denied_locally(key); }
  bool has_local_denies() const noexcept override { return inner_->has_local_denies(); }

 private:
  template <class T>
  Callback<T> later(Callback<T> done) {
    return [this,
            done = std::move(done)](StateResult<T> result) {  // NOLINT(performance-unnecessary-value-param)
      asio::post(io_, [done, result = std::move(result)] { done(result); });
    };
  }

  std::shared_ptr<stores::StateStore> inner_ =
      stores::make_memory_state_store(std::make_shared<SystemClock>());
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::thread thread_;
};

struct World {
  World() {
    throttle.users = {2, 1min, 10min};
    throttle.addresses = {0, 1min, 10min};
    auto passwords =
        stores::parse_htpasswd("alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", "users", "", "groups", 1);
    basic.scheme = schemes::make_basic_scheme({"staff", true, {}}, *passwords);
    basic.name = "staff";
    route.realms = {&basic};
    route.schemes = {basic.scheme.get()};
    route.throttle = &throttle;
    route.state = &store;
  }

  /// Judged in two steps, as the reverse proxy does; `now_only` tells whether judge_now() decided.
  Verdict judge(std::string_view field, bool* now_only = nullptr) {
    std::vector<std::string_view> fields{field};
    RequestView view{{"GET", "/x", "h", "192.0.2.1", false, std::chrono::system_clock::now(), std::nullopt},
                     {fields, std::nullopt, std::nullopt}};
    Verdict verdict;
    asio::io_context io;
    auto guard = asio::make_work_guard(io);  // the store answers from its thread: keep run() waiting
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
          Judgement judgement;
          judge_.judge_now(route, view, policy::Side::origin, judgement);
          if (now_only != nullptr) *now_only = judgement.verdict.has_value();
          if (judgement.verdict) {
            verdict = std::move(*judgement.verdict);
          } else {
            verdict = co_await judge_.judge_rest(route, view, policy::Side::origin, judgement);
          }
          guard.reset();
        },
        asio::detached);
    io.run();
    return verdict;
  }

  /// Waits until the counts a verdict started have landed (they are not awaited by the request).
  void settle() { std::this_thread::sleep_for(50ms); }

  config::Throttle throttle;
  LaterStore store;
  config::CompiledRealm basic;
  config::CompiledRoute route;
  WorkerPool pool{1, 10};
  stores::VerifyCache cache;
  Authenticator authenticator{pool, cache, std::chrono::minutes(1)};
  Judge judge_{authenticator};
};

TEST(ThrottleWait, AStoreThatAnswersLaterIsAwaitedBeforeTheCacheAndStillBans) {
  World w;
  bool now_only = true;
  EXPECT_EQ(w.judge(alice_right, &now_only).decision.status, 200);
  EXPECT_FALSE(now_only) << "judge_now() cannot know the ban: it leaves the verdict to judge_rest()";
  EXPECT_EQ(w.judge(alice_right).decision.status, 200) << "a cache hit, after the ban check";
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  w.settle();
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  w.settle();
  const auto banned = w.judge(alice_right);  // right and cached: the ban still comes first
  EXPECT_EQ(banned.decision.status, 429);
  EXPECT_EQ(banned.throttled_by, "user");
  EXPECT_GE(banned.decision.retry_after, 599s);
}

TEST(ThrottleWait, AStoreThatFailsLetsTheCredentialsBeVerified) {
  // Why fail open: a throttle that banned everyone while its store is down would hand an attacker a switch
  // that locks every user out (docs/operations.md, "Running several instances").
  World w;
  w.store.failing = true;
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401);
  EXPECT_EQ(w.judge(alice_wrong).decision.status, 401) << "no ban can be read: none is assumed";
  EXPECT_EQ(w.judge(alice_right).decision.status, 200);
  EXPECT_GE(w.store.reads.load(), 4) << "every request asked";
}

}  // namespace
}  // namespace authgate::gateway
