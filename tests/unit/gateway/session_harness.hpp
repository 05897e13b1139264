#pragma once
// A gateway on a loopback port without the Server around it (no signals, no reload): one I/O thread
// running accepted sessions against a compiled in-code config, the demo's echo upstream behind it, and
// a blocking client that speaks raw bytes. For session and proxy tests.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "config/compile.hpp"
#include "echo_upstream.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/worker_pool.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/ops/request_record.hpp"

namespace authgate::gateway::testing {

/// A directory with users.htpasswd (alice:wonderland in group admins, bob:builder; bcrypt cost 4).
class UserFiles {
 public:
  UserFiles();
  ~UserFiles();
  std::string htpasswd() const { return (dir_ / "users.htpasswd").string(); }
  std::string groups() const { return (dir_ / "groups.txt").string(); }

 private:
  std::filesystem::path dir_;
};

/// The test config: routes /public (anonymous), /private (any user), /admin (group admins),
/// /limited (max_body_bytes 10), /down (an upstream that refuses), /slow (one that never answers).
config::Config test_config(const UserFiles& files, std::uint16_t echo_port, std::uint16_t dead_port,
                           std::uint16_t silent_port);

/// A RequestRecord with its own strings (the record's views die with the request).
struct SeenRecord {
  int status = 0;
  Reason reason = Reason::ok;
  std::string method, path, route, user, scheme;
  bool cache_hit = false;
  std::uint64_t bytes_in = 0;
};

class TestGateway {
 public:
  /// `tweak` may change the config (limits, timeouts) before it is compiled.
  explicit TestGateway(std::function<void(config::Config&)> tweak = {});
  ~TestGateway();
  std::uint16_t port() const { return port_; }
  Authenticator& authenticator() { return *auth_; }
  /// The request records once there are at least `expected` (or after 5 s): a record is written
  /// after the response bytes, so a client that has read its response may be ahead of it.
  std::vector<SeenRecord> records(std::size_t expected) const;
  /// Runs `task` on the gateway's I/O thread and waits for it (e.g. to mark the thread for counting).
  void run_on_io_thread(const std::function<void()>& task);
  /// Stops keeping request records: what the gateway does per request is then all that runs on its
  /// thread (the allocation budget counts it).
  void stop_recording() { recording_ = false; }

 private:
  UserFiles files_;
  std::unique_ptr<app::EchoUpstream> echo_;
  boost::asio::io_context silent_context_;
  boost::asio::ip::tcp::acceptor silent_{silent_context_};  // accepts into the backlog, never answers
  stores::VerifyCache cache_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<GatewayState> state_;
  std::unique_ptr<IoThread> thread_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  std::thread runner_;
  std::uint16_t port_ = 0;
  std::atomic<bool> recording_{true};
  mutable std::mutex records_mutex_;
  mutable std::condition_variable records_changed_;
  std::vector<SeenRecord> records_;
};

/// A blocking client connection to 127.0.0.1:port.
class Client {
 public:
  explicit Client(std::uint16_t port);
  void send(const std::string& bytes);
  /// One whole response (status line, fields, body as framed), or "" when the connection closed first.
  std::string read_response(bool head_request = false);
  /// Everything until the server closes (or `timeout`).
  std::string read_to_close(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  /// True when the server closed the connection (reads EOF within `timeout`).
  bool closed_within(std::chrono::milliseconds timeout);

 private:
  boost::asio::io_context context_;
  boost::asio::ip::tcp::socket socket_{context_};
  std::string pending_;
};

/// The status code of a raw response ("HTTP/1.1 401 …" → 401), 0 if none.
int status_of(const std::string& response);
/// The value of the first field `name` (case-insensitive) in a raw response, "" if absent.
std::string field_of(const std::string& response, std::string_view name);
/// The body of a raw response.
std::string body_of(const std::string& response);

}  // namespace authgate::gateway::testing
