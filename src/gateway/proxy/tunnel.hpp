#pragma once
// A tunnel: after the upstream's 101 (WebSocket, RFC 6455 §4.1) or a forward proxy's 200 to CONNECT
// (RFC 9110 §9.3.6) the gateway only moves bytes, both ways, until either side closes or nothing moved in
// either direction for the idle timeout.

#include <chrono>
#include <cstdint>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "gateway/conn/stream.hpp"

namespace authgate::gateway {

/// Bytes a tunnel moved each way.
struct TunnelBytes {
  std::uint64_t to_upstream = 0;
  std::uint64_t to_client = 0;
};

/// Relays bytes between `client` and `upstream`; what each side's buffer already holds goes first.
/// Closes both streams when it ends.
boost::asio::awaitable<TunnelBytes> tunnel(Stream& client, beast::flat_buffer& client_buffer,
                                           Stream& upstream, beast::flat_buffer& upstream_buffer,
                                           std::chrono::milliseconds idle);

}  // namespace authgate::gateway
