#pragma once
// A connection that is either plain TCP or TLS over TCP, for both sides of the proxy, with one deadline.
// Operations are written once as generic lambdas and dispatched with visit(), so the session and the
// relay are not templates and each is compiled once.
//
// The deadline is lazy: expires_after() only stores a time point, and one timer per connection wakes
// when the earliest stored deadline may have passed. A request moves its deadline forward several times
// (head, upstream write, response), so per-operation timers (beast::tcp_stream) would add a timer
// insertion, a cancellation and a cancelled handler to every read and write; here the timer fires about
// once per timeout period. A passed deadline cancels the socket's operations without closing it (the
// header timeout still sends a 408); timed() turns the error of a cancelled operation into
// beast::error::timeout.

#include <chrono>
#include <memory>
#include <utility>
#include <variant>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace authgate::gateway {

namespace beast = boost::beast;
namespace asio = boost::asio;

using TcpSocket = asio::ip::tcp::socket;
using TlsStream = beast::ssl_stream<TcpSocket>;

class Stream {
 public:
  using Clock = std::chrono::steady_clock;

  explicit Stream(TcpSocket socket);
  Stream(TcpSocket socket, asio::ssl::context& context);

  /// Calls `f(stream)` with the concrete TcpSocket or TlsStream; both calls must return one type.
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), impl_->stream);
  }

  bool is_tls() const noexcept { return std::holds_alternative<TlsStream>(impl_->stream); }
  TlsStream* tls() noexcept { return std::get_if<TlsStream>(&impl_->stream); }
  TcpSocket& socket() noexcept {
    if (TlsStream* tls_stream = std::get_if<TlsStream>(&impl_->stream)) return tls_stream->next_layer();
    return *std::get_if<TcpSocket>(&impl_->stream);  // built in place, never reassigned: one of the two
  }

  /// Operations started from now on must finish within `d`; a passed deadline cancels them.
  void expires_after(Clock::duration d) { expires_at(Clock::now() + d); }
  void expires_at(Clock::time_point t);
  void expires_never();

  /// `ec`, or beast::error::timeout when the operation failed because the deadline passed.
  boost::system::error_code timed(boost::system::error_code ec) const noexcept {
    return ec && impl_->expired ? boost::system::error_code{beast::error::timeout} : ec;
  }

  /// Closes the socket without a TLS close_notify (errors ignored).
  void close() noexcept;

  /// Sends what a plain TCP socket takes at once, without waiting; returns the bytes sent. 0 with no
  /// error for TLS (its records are written by visit() only) or when the send buffer is full.
  std::size_t send_now(asio::const_buffer bytes, boost::system::error_code& ec) noexcept;

 private:
  struct Impl {
    template <class... Args>
    explicit Impl(Args&&... args);
    std::variant<TcpSocket, TlsStream> stream;
    asio::steady_timer timer;
    Clock::time_point deadline = Clock::time_point::max();  // operations must end by then
    Clock::time_point armed = Clock::time_point::max();     // the pending timer wait; max: none
    bool expired = false;                                   // the deadline passed and cancelled them
  };
  static void arm(const std::shared_ptr<Impl>& impl, Clock::time_point t);
  static void on_timer(const std::weak_ptr<Impl>& weak, boost::system::error_code ec);

  std::shared_ptr<Impl> impl_;  // shared with nothing; weak in the timer's handler, stable across moves
};

/// Writes all of `bytes` within `timeout`. A small write usually goes out at once (send_now) and then
/// skips the reactor, the scheduler and a suspension; the rest, or TLS, takes an asynchronous write.
asio::awaitable<boost::system::error_code> write_all(Stream& stream, asio::const_buffer bytes,
                                                     Stream::Clock::duration timeout);

/// write_all() in two steps, for the request path's writes: a coroutine frame costs ≈ 400 instructions
/// even when it never suspends, and the first step, which usually sends everything, needs none.
///   auto write = start_write(stream, bytes);
///   if (!write.done()) write.ec = co_await finish_write(stream, write.rest, timeout);
struct StartedWrite {
  boost::system::error_code ec;
  asio::const_buffer rest;  // what the socket did not take at once
  [[nodiscard]] bool done() const noexcept { return ec || rest.size() == 0; }
};
StartedWrite start_write(Stream& stream, asio::const_buffer bytes) noexcept;
asio::awaitable<boost::system::error_code> finish_write(Stream& stream, asio::const_buffer rest,
                                                        Stream::Clock::duration timeout);

}  // namespace authgate::gateway
