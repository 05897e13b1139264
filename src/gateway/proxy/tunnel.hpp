#pragma once
// The WebSocket tunnel (RFC 6455 §4.1): after the upstream's 101 the gateway only moves bytes, both
// ways, until either side closes or nothing moved in either direction for the idle timeout.

#include <chrono>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "gateway/conn/stream.hpp"

namespace authgate::gateway {

/// Relays bytes between `client` and `upstream`; what each side's buffer already holds goes first.
/// Closes both streams when it ends.
boost::asio::awaitable<void> tunnel(Stream& client, beast::flat_buffer& client_buffer, Stream& upstream,
                                    beast::flat_buffer& upstream_buffer, std::chrono::milliseconds idle);

}  // namespace authgate::gateway
