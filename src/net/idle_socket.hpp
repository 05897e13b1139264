#pragma once
// The reuse check of a pooled keep-alive connection, for both of the gateway's clients (the upstream
// pool and the fetch client's pool).

#include <boost/asio/ip/tcp.hpp>

namespace authgate::net {

/// True when an idle socket is closed, has something to read or was closed by the peer: it is not
/// reusable (an HTTP/1.1 server sends nothing unprompted, RFC 9112 §9.3). One poll(), no waiting.
bool idle_socket_is_dead(boost::asio::ip::tcp::socket& socket) noexcept;

}  // namespace authgate::net
