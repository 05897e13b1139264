// TLS to Redis without a Redis: the settings are checked when the store is made (a file that cannot be used
// is make_redis_state_store's error, naming the setting and the file), and a server that does not complete
// the TLS handshake — silent, or speaking plain RESP — leaves the store down with the reason, within
// connect_timeout. Handshakes with a real redis-server: tests/integration/test_redis_tls.py.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "net/redis_state_store.hpp"

namespace authgate::net {
namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

std::string data(const std::string& name) { return AUTHGATE_TEST_DATA_DIR "/config/" + name; }

/// A loopback TCP listener that accepts nothing: connecting succeeds (the kernel's backlog), and the
/// ClientHello is never answered.
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  SilentListener(const SilentListener&) = delete;
  SilentListener& operator=(const SilentListener&) = delete;

  std::string url(const char* scheme = "rediss") const {
    return std::string(scheme) + "://127.0.0.1:" + std::to_string(port_);
  }
  int fd() const noexcept { return fd_; }

 private:
  int fd_;
  int port_ = 0;
};

/// A listener whose connections get a plain RESP error, as a Redis without TLS on that port would send.
class PlainTextServer : public SilentListener {
 public:
  PlainTextServer()
      : thread_([this] {
          while (!stop_) {
            const int conn = ::accept(fd(), nullptr, nullptr);
            if (conn < 0) return;
            const char reply[] = "-ERR this port speaks plain RESP\r\n";
            (void)::send(conn, reply, sizeof reply - 1, MSG_NOSIGNAL);
            connections_.push_back(conn);
          }
        }) {}
  ~PlainTextServer() {
    stop_ = true;
    ::shutdown(fd(), SHUT_RDWR);  // wakes accept()
    thread_.join();
    for (const int conn : connections_) ::close(conn);
  }
  PlainTextServer(const PlainTextServer&) = delete;
  PlainTextServer& operator=(const PlainTextServer&) = delete;

 private:
  std::atomic<bool> stop_{false};
  std::vector<int> connections_;  // accept thread only, until joined
  std::thread thread_;
};

class RedisTlsTest : public ::testing::Test {
 protected:
  RedisTlsTest() : io_thread_([this] { io_.run(); }) {}
  ~RedisTlsTest() override {
    if (store_) store_->shutdown();
    store_.reset();
    work_.reset();
    io_thread_.join();
  }
  RedisTlsTest(const RedisTlsTest&) = delete;
  RedisTlsTest& operator=(const RedisTlsTest&) = delete;

  static RedisStateOptions options(std::string url, RedisTls tls = {}) {
    RedisStateOptions options;
    options.url = std::move(url);
    options.tls = std::move(tls);
    options.connect_timeout = 200ms;
    options.reconnect_min = 1s;  // one attempt per test
    options.reconnect_max = 1s;
    return options;
  }

  boost::system::result<std::shared_ptr<RedisStateStore>, std::string> make(RedisStateOptions options) {
    return make_redis_state_store(io_.get_executor(), std::move(options));
  }

  /// The store's status once it is down (or after 3 s).
  RedisStatus down_status() {
    const auto end = SteadyClock::now() + 3s;
    while (store_->status().state != RedisState::down && SteadyClock::now() < end) {
      std::this_thread::sleep_for(5ms);
    }
    return store_->status();
  }

  boost::asio::io_context io_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_{
      io_.get_executor()};
  std::thread io_thread_;
  std::shared_ptr<RedisStateStore> store_;
};

struct SetupCase {
  const char* name;
  std::string url;
  RedisTls tls;
  const char* expected;  // in the error
  const char* why;
};

TEST_F(RedisTlsTest, SettingsThatCannotBeUsedAreTheStoresErrorNamingTheFile) {
  const std::string missing = data("state/no-such-ca.pem");
  const std::vector<SetupCase> cases = {
      {"MissingCaFile", "rediss://127.0.0.1:1", {true, missing, "", "", ""}, "ca_file", "names the setting"},
      {"CaFileWithoutCertificates",
       "rediss://127.0.0.1:1",
       {true, data("ca.pem"), "", "", ""},
       "ca_file",
       "a PEM placeholder holds no certificate"},
      {"CertificateWithoutKey",
       "redis://127.0.0.1:1",
       {true, "", data("server.crt"), "", ""},
       "cert_file and key_file go together",
       "mutual TLS needs both"},
      {"UnparsableClientCertificate",
       "rediss://127.0.0.1:1",
       {true, "", data("server.crt"), data("server.key"), ""},
       "cert_file",
       "the certificate is read when the store is made, not per connection"},
      {"TlsOverAUnixSocket",
       "unix:/run/redis.sock",
       {true, "", "", "", ""},
       "not a unix socket",
       "TLS is TCP only"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto options = RedisTlsTest::options(c.url, c.tls);
    options.password = "sekret-password";
    const auto made = make(std::move(options));
    ASSERT_FALSE(made.has_value()) << c.why;
    EXPECT_NE(made.error().find(c.expected), std::string::npos) << made.error() << " — " << c.why;
    EXPECT_EQ(made.error().find("sekret"), std::string::npos) << "never the password";
  }
  const auto missing_error = make(options("rediss://127.0.0.1:1", {true, missing, "", "", ""}));
  ASSERT_FALSE(missing_error.has_value());
  EXPECT_NE(missing_error.error().find(missing), std::string::npos) << "the file is named";
}

TEST_F(RedisTlsTest, ARedissUrlAloneTurnsTlsOnWithTheSystemTrustStore) {
  SilentListener silent;
  auto made = make(options(silent.url("rediss")));
  ASSERT_TRUE(made.has_value()) << made.error();
  store_ = *made;
  EXPECT_NE(down_status().last_error.find("TLS handshake"), std::string::npos)
      << "rediss:// speaks TLS: " << store_->status().last_error;
}

TEST_F(RedisTlsTest, AServerThatNeverAnswersTheHandshakeCostsConnectTimeoutThenTheStoreIsDown) {
  SilentListener silent;
  auto made = make(options(silent.url("redis"), {true, "", "", "", ""}));
  ASSERT_TRUE(made.has_value()) << made.error();
  store_ = *made;
  const auto started = SteadyClock::now();
  const RedisStatus status = down_status();
  EXPECT_EQ(status.state, RedisState::down);
  EXPECT_LT(SteadyClock::now() - started, 1500ms) << "the handshake is bounded by connect_timeout";
  EXPECT_NE(status.last_error.find("TLS handshake timed out after 200 ms"), std::string::npos)
      << status.last_error;
}

TEST_F(RedisTlsTest, APlainTextRedisIsAFailedHandshakeNotAReply) {
  PlainTextServer plain;
  auto made = make(options(plain.url("redis"), {true, "", "", "", "redis.internal"}));
  ASSERT_TRUE(made.has_value()) << made.error();
  store_ = *made;
  const RedisStatus status = down_status();
  EXPECT_EQ(status.state, RedisState::down);
  EXPECT_NE(status.last_error.find("TLS handshake with redis failed"), std::string::npos)
      << status.last_error;
}

}  // namespace
}  // namespace authgate::net
