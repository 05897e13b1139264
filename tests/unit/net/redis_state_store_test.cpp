// The Redis StateStore against a real redis-server on a loopback port (one per test, in a temp dir, no
// persistence): the StateStore contract (the in-memory store's tables, with real time: short ttls
// stand in for the manual clock), atomicity, deadlines, reconnecting, expiry and shutdown.
#include "net/redis_state_store.hpp"

#include "authgate/grammar/base64.hpp"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <filesystem>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace authgate::net {
namespace {

using namespace std::chrono_literals;
using stores::FailureWindow;
using stores::NonceUse;
using stores::StateError;
using stores::StateResult;
using SteadyClock = std::chrono::steady_clock;

/// A free loopback port: bound by the kernel's choice, then released for redis-server to take.
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

/// /usr/bin/redis-server on 127.0.0.1:`port`, no persistence, DEBUG allowed from loopback.
class RedisServer {
 public:
  RedisServer() : port_(free_port()) {
    char tmpl[] = "/tmp/authgate-redis-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    start();
  }
  ~RedisServer() {
    stop(SIGKILL);
    std::filesystem::remove_all(dir_);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  void start() {
    const std::string port = std::to_string(port_);
    const std::string log = dir_ + "/redis.log";
    const char* argv[] = {"/usr/bin/redis-server",
                          "--port",
                          port.c_str(),
                          "--bind",
                          "127.0.0.1",
                          "--save",
                          "",
                          "--appendonly",
                          "no",
                          "--dir",
                          dir_.c_str(),
                          "--loglevel",
                          "warning",
                          "--enable-debug-command",
                          "local",
                          "--daemonize",
                          "no",
                          nullptr};
    ASSERT_EQ(::posix_spawn(&pid_, argv[0], nullptr, nullptr, const_cast<char**>(argv), environ), 0);
    for (int i = 0; i < 200 && cli("PING") != "PONG"; ++i) std::this_thread::sleep_for(10ms);
    ASSERT_EQ(cli("PING"), "PONG") << "redis-server did not start";
  }
  void stop(int signal = SIGTERM) {
    if (pid_ <= 0) return;
    if (signal == SIGKILL) ::kill(pid_, SIGCONT);
    ::kill(pid_, signal);
    ::waitpid(pid_, nullptr, 0);
    pid_ = 0;
  }
  void pause() const { ::kill(pid_, SIGSTOP); }
  void resume() const { ::kill(pid_, SIGCONT); }

  /// One command through redis-cli; its output without the trailing newline.
  std::string cli(const std::string& args) const {
    const std::string command = "redis-cli -p " + std::to_string(port_) + " " + args + " 2>/dev/null";
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
      char buf[256];
      while (std::fgets(buf, sizeof buf, pipe) != nullptr) out += buf;
      ::pclose(pipe);
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    return out;
  }

  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_;
  std::string dir_;
  pid_t pid_ = 0;
};

class RedisStateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    io_thread_ = std::thread([this] { io_.run(); });
    io_thread_id_ = io_thread_.get_id();
    make({});
  }
  void TearDown() override {
    store_.reset();
    work_.reset();
    io_thread_.join();
  }

  void make(RedisStateOptions options) {
    if (options.url == RedisStateOptions{}.url) options.url = server_.url();
    auto made = make_redis_state_store(io_.get_executor(), std::move(options));
    ASSERT_TRUE(made.has_value()) << made.error();
    store_ = *made;
  }

  /// What `op` passed to its callback: exactly once, on the store's thread, within 5 s.
  template <class T, class Op>
  StateResult<T> call(Op op) {
    auto promise = std::make_shared<std::promise<StateResult<T>>>();
    auto calls = std::make_shared<std::atomic<int>>(0);
    op([this, promise, calls](StateResult<T> result) {
      EXPECT_EQ(std::this_thread::get_id(), io_thread_id_) << "called back on the store's executor";
      if (++*calls == 1) promise->set_value(std::move(result));
    });
    auto future = promise->get_future();
    if (future.wait_for(5s) != std::future_status::ready) {
      ADD_FAILURE() << "no callback";
      return StateError{StateError::Code::unavailable, "no callback"};
    }
    auto result = future.get();
    std::this_thread::sleep_for(1ms);
    EXPECT_EQ(calls->load(), 1) << "the callback runs exactly once";
    return result;
  }

  StateResult<FailureWindow> add_failure(std::string_view key, std::chrono::milliseconds window) {
    return call<FailureWindow>([&](auto done) { store_->add_failure(key, window, done); });
  }
  StateResult<FailureWindow> failures(std::string_view key) {
    return call<FailureWindow>([&](auto done) { store_->failures(key, done); });
  }
  StateResult<void> clear_failures(std::string_view key) {
    return call<void>([&](auto done) { store_->clear_failures(key, done); });
  }
  StateResult<void> issue_nonce(std::string_view nonce, std::chrono::milliseconds ttl) {
    return call<void>([&](auto done) { store_->issue_nonce(nonce, ttl, done); });
  }
  StateResult<NonceUse> use_nonce(std::string_view nonce, std::uint32_t nc) {
    return call<NonceUse>([&](auto done) { store_->use_nonce(nonce, nc, done); });
  }
  StateResult<void> deny(std::string_view key, std::chrono::milliseconds ttl) {
    return call<void>([&](auto done) { store_->deny(key, ttl, done); });
  }
  StateResult<bool> is_denied(std::string_view key) {
    return call<bool>([&](auto done) { store_->is_denied(key, done); });
  }

  /// Waits until the store reports `state` (at most `limit`).
  bool wait_for(RedisState state, std::chrono::milliseconds limit = 5s) {
    const auto end = SteadyClock::now() + limit;
    while (store_->status().state != state && SteadyClock::now() < end) std::this_thread::sleep_for(5ms);
    return store_->status().state == state;
  }

  RedisServer server_;
  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread io_thread_;
  std::thread::id io_thread_id_;
  std::shared_ptr<RedisStateStore> store_;
};

/// resets_at is computed from Redis's PTTL and this process's clock: equal within a little slack.
void expect_near(std::chrono::system_clock::time_point got, std::chrono::system_clock::time_point want) {
  EXPECT_LT(got - want, 200ms);
  EXPECT_GT(got - want, -200ms);
}

TEST_F(RedisStateStoreTest, FailureWindowsCountInAFixedWindowAndClear) {
  const auto start = std::chrono::system_clock::now();
  for (std::uint32_t i = 1; i <= 3; ++i) {
    const auto added = add_failure("k", 1min);
    ASSERT_TRUE(added.has_value()) << added.error().detail;
    EXPECT_EQ(added->count, i);
    expect_near(added->resets_at, start + 1min);
    EXPECT_TRUE(added->recorded);
  }
  expect_near(add_failure("k", 10min)->resets_at, start + 1min);  // a later window argument is ignored
  EXPECT_EQ(failures("k")->count, 4u);
  EXPECT_EQ(failures("j")->count, 0u) << "other keys are untouched";
  ASSERT_TRUE(clear_failures("k").has_value());
  const auto cleared = failures("k");
  EXPECT_EQ(cleared->count, 0u) << "a success clears the counter";
  expect_near(cleared->resets_at, std::chrono::system_clock::now());
}

TEST_F(RedisStateStoreTest, AFailureWindowResetsAtItsEnd) {
  ASSERT_EQ(add_failure("k", 200ms)->count, 1u);
  ASSERT_EQ(add_failure("k", 200ms)->count, 2u);
  std::this_thread::sleep_for(300ms);
  EXPECT_EQ(failures("k")->count, 0u) << "an expired window reads as none";
  EXPECT_EQ(add_failure("k", 1min)->count, 1u) << "the next failure opens a new window";
}

struct NonceStep {
  enum class Op { issue, use, wait } op;
  std::uint32_t nc_or_ms;
  NonceUse expect = NonceUse::fresh;
};
NonceStep issue(std::uint32_t ttl_ms) { return {NonceStep::Op::issue, ttl_ms}; }
NonceStep use(std::uint32_t nc, NonceUse expect) { return {NonceStep::Op::use, nc, expect}; }
NonceStep pause_ms(std::uint32_t ms) { return {NonceStep::Op::wait, ms}; }

TEST_F(RedisStateStoreTest, NonceCountsAreFreshOnlyWhenTheyGrow) {
  using enum NonceUse;
  constexpr std::uint32_t ttl = 300'000;
  const std::vector<std::tuple<const char*, std::vector<NonceStep>, const char*>> cases = {
      {"first use", {issue(ttl), use(1, fresh)}, "RFC 7616 §3.4: nc starts at 1"},
      {"the same nc again", {issue(ttl), use(1, fresh), use(1, replayed)}, "a repeated nc is a replay"},
      {"nc going backwards",
       {issue(ttl), use(1, fresh), use(3, fresh), use(2, replayed)},
       "only an nc above every one seen is fresh"},
      {"gaps are allowed", {issue(ttl), use(1, fresh), use(9, fresh), use(10, fresh)}, "lost requests"},
      {"nc 0", {issue(ttl), use(0, replayed)}, "counting starts at 1"},
      {"the largest nc", {issue(ttl), use(UINT32_MAX, fresh), use(UINT32_MAX, replayed)}, "works once"},
      {"never issued", {use(1, unknown_or_expired)}, "only nonces the gateway issued count"},
      {"issued again while known",
       {issue(ttl), use(3, fresh), issue(ttl), use(2, replayed), use(3, replayed)},
       "re-issuing must not reopen counts already used"},
      {"expired", {issue(200), use(1, fresh), pause_ms(300), use(2, unknown_or_expired)}, "gone at its ttl"},
      {"issued again does not extend it",
       {issue(400), pause_ms(200), issue(400), pause_ms(300), use(1, unknown_or_expired)},
       "the first ttl stands"},
      {"issued again after expiry",
       {issue(200), use(3, fresh), pause_ms(300), issue(ttl), use(1, fresh)},
       "an expired nonce is forgotten; issuing it again starts a new one"},
  };
  int row = 0;
  for (const auto& [name, steps, why] : cases) {
    SCOPED_TRACE(name);
    const std::string nonce = "n" + std::to_string(row++);  // one nonce per row: the rows share a server
    for (const auto& step : steps) {
      if (step.op == NonceStep::Op::issue) {
        ASSERT_TRUE(issue_nonce(nonce, std::chrono::milliseconds(step.nc_or_ms)).has_value());
      } else if (step.op == NonceStep::Op::use) {
        EXPECT_EQ(use_nonce(nonce, step.nc_or_ms).value(), step.expect) << why << ", nc " << step.nc_or_ms;
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(step.nc_or_ms));
      }
    }
  }
  EXPECT_EQ(use_nonce("n0 ", 2).value(), unknown_or_expired) << "nonces are exact bytes";
}

TEST_F(RedisStateStoreTest, DenyLastsItsTtlAndIsNeverShortened) {
  EXPECT_FALSE(is_denied("t").value()) << "the deny-list starts empty";
  ASSERT_TRUE(deny("t", 1h).has_value());
  ASSERT_TRUE(deny("t", 100ms).has_value());
  ASSERT_TRUE(deny("short", 200ms).has_value());
  ASSERT_TRUE(deny("short", 1h).has_value());
  ASSERT_TRUE(deny("lapses", 200ms).has_value());
  EXPECT_TRUE(is_denied("lapses").value()) << "a revocation takes effect at once";
  std::this_thread::sleep_for(300ms);
  EXPECT_TRUE(is_denied("t").value()) << "a second, shorter revocation must not lift the first early";
  EXPECT_TRUE(is_denied("short").value()) << "the later end wins";
  EXPECT_FALSE(is_denied("lapses").value()) << "at its ttl the entry is gone";
  EXPECT_FALSE(is_denied("T").value()) << "keys are exact bytes";
}

TEST_F(RedisStateStoreTest, ADenyReachesEveryInstancesLocalCopyWithinASecondAndOutlivesAnOutage) {
  make({});
  auto other = make_redis_state_store(io_.get_executor(), RedisStateOptions{.url = server_.url()});
  ASSERT_TRUE(other.has_value()) << other.error();
  EXPECT_FALSE((*other)->has_local_denies());
  ASSERT_TRUE(deny("jti:abc", 1h).has_value());
  EXPECT_TRUE(store_->denied_locally("jti:abc")) << "in the local copy of the store that denied it at once";
  const auto start = SteadyClock::now();
  while (!(*other)->denied_locally("jti:abc") && SteadyClock::now() - start < 2s) {
    std::this_thread::sleep_for(10ms);
  }
  EXPECT_LT(SteadyClock::now() - start, 1s) << "another instance's copy has it within a second";
  EXPECT_FALSE((*other)->denied_locally("jti:abd"));
  EXPECT_FALSE((*other)->denied_locally("user:abc")) << "keys are exact";

  server_.stop(SIGKILL);
  std::this_thread::sleep_for(600ms);  // polls fail meanwhile
  EXPECT_TRUE((*other)->denied_locally("jti:abc")) << "Redis down: the last known copy holds";
  EXPECT_EQ(deny("jti:new", 1h).error().code, StateError::Code::unavailable);
  server_.start();
  (*other)->shutdown();
}

TEST_F(RedisStateStoreTest, ADenyInTheLocalCopyLapsesAtItsTtl) {
  make({});
  ASSERT_TRUE(deny("user:bob", 300ms).has_value());
  EXPECT_TRUE(store_->denied_locally("user:bob"));
  std::this_thread::sleep_for(400ms);
  EXPECT_FALSE(store_->denied_locally("user:bob")) << "checked against the clock, not only at the next poll";
  EXPECT_FALSE(is_denied("user:bob").value());
}

TEST_F(RedisStateStoreTest, APoolSpreadsOperationsOverItsConnections) {
  make({.pool = 3});
  ASSERT_TRUE(wait_for(RedisState::connected));
  for (int i = 0; i < 30; ++i) ASSERT_EQ(add_failure("k", 1min)->count, static_cast<std::uint32_t>(i + 1));
  const std::string clients = server_.cli("CLIENT LIST");
  std::size_t connections = 0;
  for (std::size_t at = 0; (at = clients.find("cmd=", at)) != std::string::npos; ++at) ++connections;
  EXPECT_EQ(connections, 4u) << "three pooled connections and redis-cli's own";
}

TEST_F(RedisStateStoreTest, TheThreeKindsHaveSeparateKeySpaces) {
  ASSERT_TRUE(add_failure("x", 1min).has_value());
  ASSERT_TRUE(deny("x", 1h).has_value());
  EXPECT_EQ(use_nonce("x", 1).value(), NonceUse::unknown_or_expired) << "a failure key is not a nonce";
  ASSERT_TRUE(issue_nonce("x", 5min).has_value());
  EXPECT_EQ(failures("x")->count, 1u) << "neither the deny nor the nonce counted as a failure";
  ASSERT_TRUE(clear_failures("x").has_value());
  EXPECT_TRUE(is_denied("x").value()) << "clearing failures does not lift a deny";
  EXPECT_EQ(use_nonce("x", 1).value(), NonceUse::fresh);
}

TEST_F(RedisStateStoreTest, KeysAreBinarySafeAndLaidOutWithHashTags) {
  const std::string binary("k\0{}\r\n\xff", 7);
  ASSERT_EQ(add_failure(binary, 1min)->count, 1u);
  EXPECT_EQ(failures(std::string("k\0", 2))->count, 0u) << "NUL is a byte like any other";
  EXPECT_EQ(failures(binary)->count, 1u);
  ASSERT_TRUE(deny("t", 1h).has_value());
  ASSERT_TRUE(issue_nonce("n", 1h).has_value());
  EXPECT_EQ(server_.cli("EXISTS authgate:{deny}:list authgate:{deny}:v authgate:{bg}:n"), "3")
      << "<prefix>{base64url(key)}:<kind>; the deny-list's two keys share the {deny} tag";
  EXPECT_EQ(server_.cli("--raw KEYS 'authgate:{*}:f'"),
            "authgate:{" + grammar::encode_base64url(binary) + "}:f");
}

TEST_F(RedisStateStoreTest, BadArgumentsAreErrorsCalledBackOnTheStoresThread) {
  const std::string long_key(513, 'k');
  EXPECT_EQ(add_failure(long_key, 1min).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(failures(long_key).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(use_nonce(long_key, 1).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(is_denied(long_key).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(add_failure("k", 0ms).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(issue_nonce("n", -1ms).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(deny("t", 0ms).error().code, StateError::Code::invalid_argument);
  EXPECT_EQ(deny("t", 0ms).error().detail.find("kkk"), std::string::npos) << "the detail never quotes a key";
  EXPECT_TRUE(add_failure(std::string(512, 'k'), 1min).has_value()) << "512 bytes is within the limit";
  EXPECT_TRUE(add_failure("", 1min).has_value()) << "the empty key is a key";
  EXPECT_TRUE(deny("forever", std::chrono::milliseconds::max()).has_value())
      << "a ttl past Redis's range is clamped, not refused";
}

TEST_F(RedisStateStoreTest, TwentyConcurrentUsesOfOneNcSeeExactlyOneFresh) {
  ASSERT_TRUE(issue_nonce("n", 5min).has_value());
  std::atomic<int> fresh{0}, replayed{0}, answered{0};
  std::vector<std::thread> callers;
  for (int i = 0; i < 20; ++i) {
    callers.emplace_back([&] {
      store_->use_nonce("n", 7, [&](const StateResult<NonceUse>& r) {
        if (r && *r == NonceUse::fresh) ++fresh;
        if (r && *r == NonceUse::replayed) ++replayed;
        ++answered;
      });
    });
  }
  for (auto& c : callers) c.join();
  for (int i = 0; i < 500 && answered < 20; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(fresh.load(), 1) << "the script checks and stores in one step";
  EXPECT_EQ(replayed.load(), 19);
}

TEST_F(RedisStateStoreTest, ConcurrentFailuresOnOneKeyAddUpExactly) {
  std::atomic<int> answered{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int i = 0; i < 250; ++i) store_->add_failure("k", 1min, [&](const auto&) { ++answered; });
    });
  }
  for (auto& c : callers) c.join();
  for (int i = 0; i < 500 && answered < 1000; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(failures("k")->count, 1000u);
}

TEST_F(RedisStateStoreTest, AStalledRedisCostsAnOperationItsTimeoutThenTheLinkRecovers) {
  make({.timeout = 200ms});
  ASSERT_TRUE(wait_for(RedisState::connected));
  server_.pause();
  const auto start = SteadyClock::now();
  const auto r = is_denied("t");
  const auto took = SteadyClock::now() - start;
  server_.resume();
  ASSERT_FALSE(r.has_value());
  // Its own timeout, or the link's: a background command (the deny-list sync) sent just before it times
  // out first, and the link then drops with everything still waiting on it ("connection lost").
  const bool own_timeout = r.error().code == StateError::Code::timeout;
  const bool link_timed_out = r.error().code == StateError::Code::unavailable &&
                              r.error().detail.find("timed out") != std::string::npos;
  EXPECT_TRUE(own_timeout || link_timed_out) << r.error().detail;
  EXPECT_GE(took, 190ms);
  EXPECT_LT(took, 400ms) << "bounded by the configured timeout";
  ASSERT_TRUE(wait_for(RedisState::connected)) << store_->status().last_error;
  EXPECT_TRUE(deny("t", 1h).has_value());
}

TEST_F(RedisStateStoreTest, DebugSleepFromAnotherConnectionTimesOutWithinTheTimeout) {
  make({.timeout = 200ms});
  ASSERT_TRUE(wait_for(RedisState::connected));
  std::thread sleeper([&] { server_.cli("DEBUG SLEEP 1"); });
  std::this_thread::sleep_for(100ms);
  const auto start = SteadyClock::now();
  const auto r = add_failure("k", 1min);
  EXPECT_LT(SteadyClock::now() - start, 400ms);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StateError::Code::timeout);
  sleeper.join();
  ASSERT_TRUE(wait_for(RedisState::connected));
  EXPECT_EQ(add_failure("k2", 1min)->count, 1u);
}

TEST_F(RedisStateStoreTest, KilledRedisFailsFastThenReconnectsAfterARestart) {
  make({.timeout = 500ms, .reconnect_min = 20ms, .reconnect_max = 200ms});
  ASSERT_TRUE(issue_nonce("n", 5min).has_value());
  server_.stop(SIGKILL);
  ASSERT_TRUE(wait_for(RedisState::down));
  EXPECT_FALSE(store_->status().last_error.empty());
  const auto start = SteadyClock::now();
  const auto r = use_nonce("n", 1);
  EXPECT_LT(SteadyClock::now() - start, 100ms) << "fails fast, not after the timeout";
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StateError::Code::unavailable);
  server_.start();
  ASSERT_TRUE(wait_for(RedisState::connected, 2s)) << "backoff is capped at 200 ms";
  EXPECT_EQ(use_nonce("n", 1).value(), NonceUse::unknown_or_expired) << "the new server lost the nonce";
  ASSERT_TRUE(issue_nonce("n", 5min).has_value());
  EXPECT_EQ(use_nonce("n", 1).value(), NonceUse::fresh) << "EVALSHA fell back to EVAL (NOSCRIPT)";
}

TEST_F(RedisStateStoreTest, ScriptsFlushedFromRedisAreSentAgain) {
  ASSERT_EQ(add_failure("k", 1min)->count, 1u);
  ASSERT_EQ(server_.cli("SCRIPT FLUSH"), "OK");
  EXPECT_EQ(add_failure("k", 1min)->count, 2u);
}

TEST_F(RedisStateStoreTest, EveryKeyExpiresSoNothingGrowsWithoutBound) {
  for (int i = 0; i < 50; ++i) {
    const std::string key = "key-" + std::to_string(i);
    ASSERT_TRUE(add_failure(key, 3s).has_value());
    ASSERT_TRUE(issue_nonce(key, 3s).has_value());
    ASSERT_EQ(use_nonce(key, 1).value(), NonceUse::fresh);
    ASSERT_TRUE(deny(key, 3s).has_value());
  }
  EXPECT_EQ(server_.cli("DBSIZE"), "102") << "50 failure and 50 nonce keys, the deny-list and its version";
  std::string size;
  for (int i = 0; i < 200 && (size = server_.cli("DBSIZE")) != "0"; ++i) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(size, "0") << "Redis's own expiry removed every key";
}

TEST_F(RedisStateStoreTest, ShutdownCompletesPendingCallbacksAsUnavailable) {
  make({.timeout = 5s});
  ASSERT_TRUE(wait_for(RedisState::connected));
  server_.pause();
  std::promise<StateResult<bool>> got;
  store_->is_denied("t", [&](const StateResult<bool>& r) { got.set_value(r); });
  std::this_thread::sleep_for(50ms);
  store_->shutdown();
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(1s), std::future_status::ready);
  server_.resume();
  const auto r = future.get();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, StateError::Code::unavailable);
  EXPECT_EQ(is_denied("t").error().code, StateError::Code::unavailable) << "and every later call";
  EXPECT_EQ(store_->status().state, RedisState::down);
}

TEST_F(RedisStateStoreTest, AWrongPasswordLeavesTheStoreDownWithTheReason) {
  ASSERT_EQ(server_.cli("CONFIG SET requirepass s3cret"), "OK");
  make({.password = "wrong", .reconnect_min = 1s});
  ASSERT_TRUE(wait_for(RedisState::down));
  EXPECT_NE(store_->status().last_error.find("AUTH refused"), std::string::npos)
      << store_->status().last_error;
  make({.password = "s3cret"});
  ASSERT_TRUE(wait_for(RedisState::connected)) << store_->status().last_error;
  EXPECT_TRUE(deny("t", 1h).has_value());
  ASSERT_EQ(server_.cli("-a s3cret --no-auth-warning CONFIG SET requirepass ''"), "OK");
}

}  // namespace
}  // namespace authgate::net
