#pragma once
// The admin listener, on its own address (never on a public listener): GET/HEAD /metrics (Prometheus text
// format 0.0.4), /healthz (liveness, with the config generation) and /readyz (readiness: listeners up and
// the state store usable), and POST /revocations (the deny-list, admin_revoke.hpp). Everything else is
// 404; other methods on these paths are 405. HTTP/1.1 keep-alive, small limits, a timeout on every wait.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "authgate/stores/state_store.hpp"

namespace authgate::gateway {

class Metrics;

struct AdminLimits {
  std::size_t max_header_bytes =
      std::size_t{8} * 1024;                       // request head → 431 beyond; admin requests have no body
  std::size_t max_connections = 64;                // further connections are closed at once
  std::chrono::milliseconds idle_timeout{60'000};  // keep-alive: wait for the first byte of a request
  std::chrono::milliseconds read_timeout{5'000};   // first byte → complete head (slowloris bound)
  std::chrono::milliseconds write_timeout{10'000};  // whole response
};

/// Whether the state store (failure counters, Digest nonce counts) can be used now, for /readyz.
struct StateStoreHealth {
  bool up = true;      // in memory: always; Redis: connected
  std::string detail;  // e.g. "redis down: connection refused"; never a secret or a key
};

struct AdminContext {
  std::shared_ptr<const Metrics> metrics;  // required: rendered by /metrics, generation for /healthz
  std::function<bool()> ready;  // /readyz: listeners up and a config loaded; thread-safe, fast; empty = 503
  AdminLimits limits;
  /// /readyz answers 503 while it says down; also called before /metrics renders (the caller updates
  /// authgate_state_store_up there). Thread-safe, fast; empty: always up.
  std::function<StateStoreHealth()> state_store{};
  /// POST /revocations: the store revocations go to (the current config's) and the token that authorises
  /// them ("" when none is configured: loopback peers only). Empty function: 404, no revocations.
  std::function<std::shared_ptr<stores::StateStore>()> revocation_store{};
  std::function<std::string()> revoke_token{};
};

/// A running admin listener. Its acceptor and sessions share one strand, so the traffic of a scraper or a
/// probe never needs locks and stop() can close everything safely.
class AdminServer {
 public:
  /// Binds and listens on `endpoint` and starts accepting on `executor` (sessions run when it runs).
  /// nullptr and `error` set when the address cannot be bound (e.g. port in use).
  static std::unique_ptr<AdminServer> open(const boost::asio::any_io_executor& executor,
                                           const boost::asio::ip::tcp::endpoint& endpoint,
                                           AdminContext context, std::error_code& error);

  /// Calls stop(). Sessions still running keep their own reference to the shared state.
  ~AdminServer();
  AdminServer(const AdminServer&) = delete;
  AdminServer& operator=(const AdminServer&) = delete;

  /// The bound address (the real port when `endpoint` asked for port 0).
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  /// Thread-safe, returns at once: closes the acceptor and every open admin connection (graceful shutdown
  /// must not wait for a scraper's idle keep-alive connection).
  void stop();

  struct State;

 private:
  explicit AdminServer(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace authgate::gateway
