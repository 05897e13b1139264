#pragma once
// Name resolution with a deadline, for every connection the gateway opens (upstreams, a forward proxy's
// destinations): getaddrinfo has no timeout of its own, so the lookup is cancelled when time is up.

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace authgate::gateway {

/// The addresses of `host` (a DNS name, or an IP literal without brackets, resolved numerically) and
/// `port`, or the error: boost::asio::error::operation_aborted when `deadline` passed first.
boost::asio::awaitable<std::pair<boost::system::error_code, boost::asio::ip::tcp::resolver::results_type>>
resolve_within(boost::asio::any_io_executor executor, const std::string& host, std::uint16_t port,
               std::chrono::steady_clock::time_point deadline);

}  // namespace authgate::gateway
