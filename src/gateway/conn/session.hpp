#pragma once
// One client connection: HTTP/1.1 keep-alive and pipelining over plain TCP or TLS, and the request
// pipeline of DESIGN.md as one straight line per request:
//   read head → check head → snapshot → route → credentials → authenticate → decide → act → record.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "authgate/policy/decision.hpp"
#include "gateway/conn/connection_table.hpp"
#include "gateway/conn/stream.hpp"

namespace authgate::gateway {

struct GatewayState;
struct IoThread;

struct SessionInfo {
  std::string_view listener;  // listener name; outlives every session (owned by the server)
  std::string client_ip;      // peer address without port
  std::uint16_t client_port = 0;
  std::shared_ptr<asio::ssl::context> tls;  // set for a TLS listener; kept alive with the session
  /// The listener's side: an origin (401, WWW-Authenticate, Authorization) or a proxy (407,
  /// Proxy-Authenticate, Proxy-Authorization). Every listener is an origin until the forward proxy.
  policy::Side side = policy::Side::origin;
  /// A forward-auth listener (docs/forward-auth.md): answers decisions, forwards nothing.
  bool decides = false;
};

/// Serves one accepted connection until it closes, times out or the server drains. Never throws:
/// unexpected exceptions are logged and end the connection only.
/// `ticket`: the connection's place in GatewayState::connection_table (empty in tests that do not count).
boost::asio::awaitable<void> run_session(Stream stream, GatewayState& state, IoThread& thread,
                                         SessionInfo info, ConnectionTable::Ticket ticket = {});

/// Shutdown: closes the connections of `thread` that wait for their next request (idle keep-alive).
/// Busy ones finish their request and close afterwards. Call on the thread's own executor.
void close_idle_sessions(IoThread& thread);

}  // namespace authgate::gateway
