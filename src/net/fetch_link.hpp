#pragma once
// One connection of the fetch client (net/http_fetch.hpp) and the two steps on it: open (resolve,
// connect, TLS handshake) and one request/response exchange that says whether the connection may carry
// another. Internal to net/; Asio in this header, so only net/*.cpp include it.

#include <chrono>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "net/fetch_url.hpp"
#include "net/http_fetch.hpp"

namespace authgate::net::detail {

using SteadyClock = std::chrono::steady_clock;

/// A TCP (http://) or TLS (https://) connection to one origin, or none yet. Used by one coroutine at a
/// time; not thread-safe.
struct FetchLink {
  std::optional<boost::beast::tcp_stream> plain;
  std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls;
  /// The last exchange read a whole response that allows another request on this connection.
  bool reusable = false;

  bool is_open() const noexcept;
  /// The TCP layer of whichever stream is set. Precondition: is_open().
  boost::beast::tcp_stream& tcp() noexcept;
  /// Closes the socket (no TLS close_notify: nothing is waiting for it) and forgets both streams.
  void close() noexcept;
};

/// Resolves, connects and (for https) handshakes with certificate and host-name verification, all
/// before `deadline`, on the calling coroutine's executor. Replaces whatever `link` held.
boost::asio::awaitable<std::optional<FetchError>> open_link(FetchLink& link, boost::asio::ssl::context& tls,
                                                            const FetchUrl& url,
                                                            SteadyClock::time_point deadline);

struct ExchangeResult {
  FetchResult result = FetchError{};
  /// The request failed before a single response byte arrived (not by the deadline): on a connection
  /// that sat idle in a pool this is the server having closed it meanwhile, and the request may be sent
  /// again on a fresh one.
  bool nothing_received = false;
};

/// Writes `request` and reads one response (head ≤ 16 KiB, body ≤ limits.max_body_bytes) before
/// `deadline`. `keep_alive` false sends `Connection: close`. Sets link.reusable. The request bytes are
/// wiped after writing.
boost::asio::awaitable<ExchangeResult> exchange(FetchLink& link, const FetchUrl& url,
                                                const FetchRequest& request, const FetchLimits& limits,
                                                SteadyClock::time_point deadline, bool keep_alive);

}  // namespace authgate::net::detail
