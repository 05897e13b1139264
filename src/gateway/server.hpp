#pragma once
// The running gateway: listeners, I/O threads, the worker pool, the admin listener, reload on SIGHUP
// and on file change, graceful shutdown on SIGTERM/SIGINT. No Asio in this header: the CLI includes it.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "authgate/version.hpp"
#include "config/compile.hpp"
#include "config/snapshot.hpp"

namespace authgate::gateway {

/// A listener as bound (the port is the real one).
struct BoundListener {
  std::string name;
  std::string address;  // IPv6 in brackets
  std::uint16_t port = 0;
  bool tls = false;
};

struct ServerOptions {
  /// Builds the next snapshot for a reload (SIGHUP, or a watched file changed). Empty: reload is off
  /// (the demo's in-code config).
  std::function<config::SnapshotResult(std::uint64_t generation)> reload;
  /// Called once every listener is bound and serving (the demo prints its curl lines here).
  std::function<void(const std::vector<BoundListener>& listeners)> on_ready;
  /// The version label of authgate_build_info.
  std::string version{authgate::version};
};

/// Runs the gateway on `initial` until SIGTERM or SIGINT, then drains in-flight requests for up to
/// `server.shutdown_grace`. Prints `authgate: listening on ADDRESS:PORT (NAME)` on stderr per listener
/// once it accepts. Returns the process exit status: 0 after a clean shutdown, 1 when a listener (or
/// the access log) cannot be opened.
int run_server(std::shared_ptr<const config::Snapshot> initial, ServerOptions options);

/// Sends spdlog's default logger to stderr (stdout belongs to the access log).
void log_to_stderr();

}  // namespace authgate::gateway
