#pragma once
// The gateway's own HTTP client: one GET or POST over HTTP/1.1 to a JWKS, discovery or introspection
// endpoint, with TLS certificate and host-name verification. No Asio in this header (the schemes layer
// includes it); the awaitable form is in net/http_fetch_async.hpp.
//
// Decisions: one request per connection ("Connection: close") unless the client was made with
// ConnectionReuse (introspection: one call per uncached token, so a new TLS handshake each time would
// cost more than the answer), for fetch() and async_fetch() alike; redirects are never followed (a 3xx is an
// error: a key or token endpoint that moves is a config change, and following it would let whoever controls
// the Location choose our keys); the response body is bounded; one deadline covers resolve, connect, TLS
// handshake, request and response.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

namespace boost::asio::ssl {
class context;
}

namespace authgate::net {

namespace detail {
class ContextFetchPool;
}

enum class FetchErrc : std::uint8_t {
  bad_url,         // see parse_fetch_url (includes http:// to a non-loopback host)
  tls_setup,       // the CA file cannot be read
  resolve_failed,  // no address for the host
  connect_failed,  // every address refused or unreachable
  tls_failed,      // handshake, certificate chain or host name did not verify
  timeout,         // the deadline expired
  io_error,        // the connection broke mid-exchange
  too_large,       // response head or body over the limit
  bad_response,    // not an HTTP/1.x response
  redirect,        // 3xx: not followed
};

/// snake_case name, e.g. "tls_failed".
std::string_view to_string(FetchErrc code) noexcept;

struct FetchError {
  FetchErrc code = FetchErrc::io_error;
  std::string detail;  // a short phrase for logs; never a body, a token or a credential
  /// "<code>: <detail>"
  std::string message() const;
};

/// boost::system::result needs this to turn `.value()` on an error into an exception (tests only).
[[noreturn]] void throw_exception_from_error(const FetchError& error, const boost::source_location& loc);

struct FetchRequest {
  std::string url;  // https://…, or http:// to loopback
  bool post = false;
  std::string body;           // POST: application/x-www-form-urlencoded; wiped after sending
  std::string authorization;  // the Authorization field value, or empty; wiped after sending; never logged
};

struct FetchLimits {
  std::chrono::milliseconds timeout{5000};            // the whole exchange
  std::size_t max_body_bytes = std::size_t{1} << 20;  // response body
};

struct FetchResponse {
  unsigned status = 0;
  std::string body;
  std::string cache_control;  // the Cache-Control field (all lines joined with ", ")
  std::string content_type;
};

using FetchResult = boost::system::result<FetchResponse, FetchError>;

/// Keep-alive for fetch() and async_fetch() (RFC 9112 §9.3). A connection is parked for the next fetch
/// to the same origin only when its response was read to the end and neither side said `close`; at most
/// `max_idle` wait, each for at most `idle_timeout` (checked when the client next fetches there), and
/// one that became readable while idle is dropped. A parked connection that fails before a single
/// response byte arrives (the server closed it meanwhile) is replaced by a fresh one and the request
/// sent once more, within the same deadline. That retry resends POSTs too: give reuse only to clients
/// whose POSTs are queries (RFC 7662 introspection changes nothing at the server, so asking twice is
/// safe, RFC 9110 §9.2.2).
///
/// Where connections wait: fetch() keeps one pool of at most `max_idle` for all worker threads. An
/// async_fetch() connection belongs to the io_context it was opened on and waits there, for a coroutine
/// on that same io_context: at most `max_idle` per io_context (N I/O threads, up to N × max_idle). The
/// two never share a connection.
struct ConnectionReuse {
  std::size_t max_idle = 0;  // 0 = every fetch opens and closes its own connection
  std::chrono::milliseconds idle_timeout{15'000};
};

/// TLS settings shared by every fetch of one endpoint: TLS 1.2+, peer verification against the system
/// trust store or `ca_file`, host-name verification (RFC 6125 via OpenSSL), SNI for DNS names
/// (RFC 6066 §3). Thread-safe: many fetches may use one client at once.
class HttpClient {
 public:
  /// Loads the trust anchors. Error: tls_setup when `ca_file` cannot be read. `reuse` applies to fetch()
  /// and async_fetch() (see ConnectionReuse).
  static boost::system::result<std::shared_ptr<const HttpClient>, FetchError> create(
      const std::string& ca_file = {}, ConnectionReuse reuse = {});
  /// Closes every parked connection: fetch()'s, and async_fetch()'s on each io_context not yet shut down
  /// (an io_context that shuts down first closes those parked in it itself). Call when no fetch of this
  /// client is running.
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  /// Blocking fetch on a private io_context, for worker threads (never an I/O thread). Returns within
  /// about `limits.timeout`. Non-2xx statuses other than 3xx are responses, not errors.
  FetchResult fetch(FetchRequest request, const FetchLimits& limits) const;

  /// The client TLS context (for async_fetch).
  boost::asio::ssl::context& tls_context() const noexcept;

  /// Where async_fetch parks and finds connections (internal to net/).
  detail::ContextFetchPool& context_pool() const noexcept;

  /// Connections parked for reuse right now: fetch()'s and async_fetch()'s on every io_context
  /// together (tests, diagnostics).
  std::size_t idle_connections() const;

 private:
  explicit HttpClient(ConnectionReuse reuse);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace authgate::net
