// Opening a fetch connection and one HTTP/1.1 exchange on it (see net/fetch_link.hpp).
#include "net/fetch_link.hpp"

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

// GCC 12 reports a false -Wmismatched-new-delete for Asio's awaitable frame operator new/delete pair in
// this file's coroutines (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace authgate::net::detail {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t max_head_bytes = 16 * 1024;

FetchError error_of(const boost::system::error_code& ec, FetchErrc otherwise) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return {FetchErrc::timeout, "no complete answer before the deadline"};
  }
  if (ec == http::error::body_limit) return {FetchErrc::too_large, "response body over the limit"};
  if (ec == http::error::header_limit) return {FetchErrc::too_large, "response head over the limit"};
  if (ec.category() == asio::error::get_ssl_category() || ec == asio::ssl::error::stream_truncated) {
    return {FetchErrc::tls_failed, ec.message()};
  }
  if (ec.category() == http::make_error_code(http::error::bad_version).category()) {
    return {FetchErrc::bad_response, ec.message()};
  }
  return {otherwise, ec.message()};
}

// The request bytes, written by hand so that the body (a token) and the Authorization value (client
// credentials) live in one buffer we can wipe afterwards.
std::string request_bytes(const FetchUrl& url, const FetchRequest& request, bool keep_alive) {
  std::string out;
  out.reserve(256 + request.body.size() + request.authorization.size());
  out.append(request.post ? "POST " : "GET ").append(url.target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(url.authority).append("\r\n");
  out.append("User-Agent: authgate\r\nAccept: application/json\r\n");
  // HTTP/1.1 connections persist unless either side says close (RFC 9112 §9.3).
  if (!keep_alive) out.append("Connection: close\r\n");
  if (!request.authorization.empty())
    out.append("Authorization: ").append(request.authorization).append("\r\n");
  if (request.post) {
    out.append("Content-Type: application/x-www-form-urlencoded\r\nContent-Length: ")
        .append(std::to_string(request.body.size()))
        .append("\r\n\r\n")
        .append(request.body);
  } else {
    out.append("\r\n");
  }
  return out;
}

template <class AsyncStream>
asio::awaitable<ExchangeResult> exchange_on(AsyncStream& stream, FetchLink& link, const FetchUrl& url,
                                            const FetchRequest& request, const FetchLimits& limits,
                                            SteadyClock::time_point deadline, bool keep_alive) {
  std::string bytes = request_bytes(url, request, keep_alive);
  auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(bytes), use_tuple);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (write_ec) {
    co_return ExchangeResult{error_of(write_ec, FetchErrc::io_error), SteadyClock::now() < deadline};
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(max_head_bytes);
  parser.body_limit(limits.max_body_bytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_ec) {
    const bool silent = !parser.got_some() && buffer.size() == 0 && SteadyClock::now() < deadline;
    co_return ExchangeResult{error_of(read_ec, FetchErrc::io_error), silent};
  }
  auto& message = parser.get();
  // Another request may follow only on a connection whose response was read to its end and that
  // neither side closes (RFC 9112 §9.3; keep_alive() is false for HTTP/1.0 without keep-alive, for
  // `Connection: close` and for a body delimited by the close). Bytes beyond the response would be
  // read as the next answer: such a connection is dropped too.
  link.reusable = keep_alive && parser.is_done() && parser.keep_alive() && buffer.size() == 0;
  const unsigned status = message.result_int();
  // Redirects are not followed (net/http_fetch.hpp): a moved key or token endpoint is a config change.
  if (status >= 300 && status < 400) {
    co_return ExchangeResult{
        FetchError{FetchErrc::redirect, "HTTP " + std::to_string(status) + " (redirects are not followed)"}};
  }
  FetchResponse response;
  response.status = status;
  for (auto [it, end] = message.equal_range(http::field::cache_control); it != end; ++it) {
    if (!response.cache_control.empty()) response.cache_control += ", ";
    response.cache_control += it->value();
  }
  response.content_type = message[http::field::content_type];
  response.body = std::move(message.body());
  co_return ExchangeResult{std::move(response)};
}

asio::awaitable<boost::system::result<tcp::resolver::results_type, FetchError>> resolve(
    const FetchUrl& url, SteadyClock::time_point deadline) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver{executor};
  // getaddrinfo has no timeout of its own: cancel it at the deadline.
  asio::steady_timer timer{executor, deadline};
  timer.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  const auto flags = url.host_is_ip ? tcp::resolver::numeric_host | tcp::resolver::numeric_service
                                    : tcp::resolver::numeric_service;
  auto [ec, results] = co_await resolver.async_resolve(url.host, std::to_string(url.port), flags, use_tuple);
  timer.cancel();
  if (ec) co_return error_of(ec, FetchErrc::resolve_failed);
  if (!url.https) {
    // http:// is allowed only to loopback; a name must not resolve anywhere else.
    for (const auto& entry : results) {
      if (!is_loopback_host(entry.endpoint().address().to_string())) {
        co_return FetchError{FetchErrc::bad_url, "http:// host resolves to a non-loopback address"};
      }
    }
  }
  co_return results;
}

}  // namespace

bool FetchLink::is_open() const noexcept {
  if (plain) return plain->socket().is_open();
  if (tls) return beast::get_lowest_layer(*tls).socket().is_open();
  return false;
}

beast::tcp_stream& FetchLink::tcp() noexcept { return plain ? *plain : beast::get_lowest_layer(*tls); }

void FetchLink::close() noexcept {
  boost::system::error_code ignored;
  if (plain) plain->socket().close(ignored);
  if (tls) beast::get_lowest_layer(*tls).socket().close(ignored);
  tls.reset();
  plain.reset();
  reusable = false;
}

asio::awaitable<std::optional<FetchError>> open_link(FetchLink& link, asio::ssl::context& tls_context,
                                                     const FetchUrl& url, SteadyClock::time_point deadline) {
  link.close();
  auto endpoints = co_await resolve(url, deadline);
  if (!endpoints) co_return endpoints.error();
  beast::tcp_stream stream{co_await asio::this_coro::executor};
  stream.expires_at(deadline);  // covers connect, handshake, write and read from here on
  auto [connect_ec, endpoint] = co_await stream.async_connect(*endpoints, use_tuple);
  if (connect_ec) co_return error_of(connect_ec, FetchErrc::connect_failed);
  if (!url.https) {
    link.plain.emplace(std::move(stream));
    co_return std::nullopt;
  }
  auto& tls = link.tls.emplace(std::move(stream), tls_context);
  // SNI carries DNS names only (RFC 6066 §3); the verified name is the DNS name or the IP literal.
  if (!url.host_is_ip) SSL_set_tlsext_host_name(tls.native_handle(), url.host.c_str());
  tls.set_verify_mode(asio::ssl::verify_peer);
  tls.set_verify_callback(asio::ssl::host_name_verification(url.host));
  auto [handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
  if (!handshake_ec) co_return std::nullopt;
  link.close();
  FetchError error = error_of(handshake_ec, FetchErrc::tls_failed);
  if (error.code == FetchErrc::io_error) error.code = FetchErrc::tls_failed;  // reset during handshake
  co_return error;
}

asio::awaitable<ExchangeResult> exchange(FetchLink& link, const FetchUrl& url, const FetchRequest& request,
                                         const FetchLimits& limits, SteadyClock::time_point deadline,
                                         bool keep_alive) {
  link.reusable = false;
  link.tcp().expires_at(deadline);
  if (link.plain)
    co_return co_await exchange_on(*link.plain, link, url, request, limits, deadline, keep_alive);
  co_return co_await exchange_on(*link.tls, link, url, request, limits, deadline, keep_alive);
}

}  // namespace authgate::net::detail
