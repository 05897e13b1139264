#pragma once
// A connection that is either plain TCP or TLS over TCP, for both sides of the proxy. Operations are
// written once as generic lambdas and dispatched with visit(), so the session and the relay are not
// templates and each is compiled once.

#include <chrono>
#include <utility>
#include <variant>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

namespace authgate::gateway {

namespace beast = boost::beast;
namespace asio = boost::asio;

using TcpStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

class Stream {
 public:
  explicit Stream(TcpStream tcp) : stream_(std::in_place_type<TcpStream>, std::move(tcp)) {}
  Stream(TcpStream tcp, asio::ssl::context& context)
      : stream_(std::in_place_type<TlsStream>, std::move(tcp), context) {}

  /// Calls `f(stream)` with the concrete TcpStream or TlsStream; both calls must return one type.
  template <class F>
  decltype(auto) visit(F&& f) {
    return std::visit(std::forward<F>(f), stream_);
  }

  bool is_tls() const noexcept { return std::holds_alternative<TlsStream>(stream_); }
  TlsStream* tls() noexcept { return std::get_if<TlsStream>(&stream_); }

  TcpStream& tcp() noexcept {
    return std::visit([](auto& s) -> TcpStream& { return beast::get_lowest_layer(s); }, stream_);
  }
  asio::ip::tcp::socket& socket() noexcept { return tcp().socket(); }

  void expires_after(std::chrono::steady_clock::duration d) { tcp().expires_after(d); }
  void expires_never() { tcp().expires_never(); }

  /// Closes the socket without a TLS close_notify (errors ignored).
  void close() noexcept {
    boost::system::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  std::variant<TcpStream, TlsStream> stream_;
};

}  // namespace authgate::gateway
