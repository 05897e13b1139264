// One HTTP/1.1 exchange over TCP or TLS with a single deadline (see net/http_fetch.hpp).
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/throw_exception.hpp>
#include <stdexcept>

#include "net/fetch_url.hpp"
#include "net/http_fetch_async.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's awaitable frame operator new/delete pair in
// this file's coroutines (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace authgate::net {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
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
std::string request_bytes(const FetchUrl& url, const FetchRequest& request) {
  std::string out;
  out.reserve(256 + request.body.size() + request.authorization.size());
  out.append(request.post ? "POST " : "GET ").append(url.target).append(" HTTP/1.1\r\n");
  out.append("Host: ").append(url.authority).append("\r\n");
  out.append("User-Agent: authgate\r\nAccept: application/json\r\nConnection: close\r\n");
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

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

template <class AsyncStream>
asio::awaitable<FetchResult> exchange(AsyncStream& stream, const FetchUrl& url, const FetchRequest& request,
                                      const FetchLimits& limits) {
  std::string bytes = request_bytes(url, request);
  auto [write_ec, written] = co_await asio::async_write(stream, asio::buffer(bytes), use_tuple);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  if (write_ec) co_return error_of(write_ec, FetchErrc::io_error);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(max_head_bytes);
  parser.body_limit(limits.max_body_bytes);
  auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  if (read_ec) co_return error_of(read_ec, FetchErrc::io_error);
  auto& message = parser.get();
  const unsigned status = message.result_int();
  // Redirects are not followed (see the header): a moved key or token endpoint is a config change.
  if (status >= 300 && status < 400) {
    co_return FetchError{FetchErrc::redirect,
                         "HTTP " + std::to_string(status) + " (redirects are not followed)"};
  }
  FetchResponse response;
  response.status = status;
  for (auto [it, end] = message.equal_range(http::field::cache_control); it != end; ++it) {
    if (!response.cache_control.empty()) response.cache_control += ", ";
    response.cache_control += it->value();
  }
  response.content_type = message[http::field::content_type];
  response.body = std::move(message.body());
  co_return response;
}

asio::awaitable<boost::system::result<tcp::resolver::results_type, FetchError>> resolve(
    const FetchUrl& url, Clock::time_point deadline) {
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

std::string_view to_string(FetchErrc code) noexcept {
  switch (code) {
    case FetchErrc::bad_url:
      return "bad_url";
    case FetchErrc::tls_setup:
      return "tls_setup";
    case FetchErrc::resolve_failed:
      return "resolve_failed";
    case FetchErrc::connect_failed:
      return "connect_failed";
    case FetchErrc::tls_failed:
      return "tls_failed";
    case FetchErrc::timeout:
      return "timeout";
    case FetchErrc::io_error:
      return "io_error";
    case FetchErrc::too_large:
      return "too_large";
    case FetchErrc::bad_response:
      return "bad_response";
    case FetchErrc::redirect:
      return "redirect";
  }
  return "unknown";
}

std::string FetchError::message() const { return std::string(to_string(code)) + ": " + detail; }

void throw_exception_from_error(const FetchError& error, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(error.message()), loc);
}

struct HttpClient::Impl {
  asio::ssl::context tls{asio::ssl::context::tls_client};
};

HttpClient::HttpClient() : impl_(std::make_unique<Impl>()) {}
HttpClient::~HttpClient() = default;

asio::ssl::context& HttpClient::tls_context() const noexcept { return impl_->tls; }

boost::system::result<std::shared_ptr<const HttpClient>, FetchError> HttpClient::create(
    const std::string& ca_file) {
  std::shared_ptr<HttpClient> client(new HttpClient());
  auto& tls = client->impl_->tls;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(ca_file, ec);
  }
  if (ec) return FetchError{FetchErrc::tls_setup, "cannot load trust anchors: " + ec.message()};
  tls.set_verify_mode(asio::ssl::verify_peer);
  return std::shared_ptr<const HttpClient>(std::move(client));
}

asio::awaitable<FetchResult> async_fetch(const HttpClient& client, FetchRequest request, FetchLimits limits) {
  auto wipe = [&request] {
    OPENSSL_cleanse(request.body.data(), request.body.size());
    OPENSSL_cleanse(request.authorization.data(), request.authorization.size());
  };
  auto url = parse_fetch_url(request.url);
  if (!url) {
    wipe();
    co_return FetchError{FetchErrc::bad_url, url.error()};
  }
  if (has_line_break(request.authorization)) {
    wipe();
    co_return FetchError{FetchErrc::bad_url, "the Authorization value contains a line break"};
  }
  const auto deadline = Clock::now() + limits.timeout;
  auto endpoints = co_await resolve(*url, deadline);
  if (!endpoints) {
    wipe();
    co_return endpoints.error();
  }
  beast::tcp_stream tcp_stream{co_await asio::this_coro::executor};
  tcp_stream.expires_at(deadline);  // covers connect, handshake, write and read from here on
  auto [connect_ec, endpoint] = co_await tcp_stream.async_connect(*endpoints, use_tuple);
  FetchResult result = FetchError{};
  if (connect_ec) {
    result = error_of(connect_ec, FetchErrc::connect_failed);
  } else if (!url->https) {
    result = co_await exchange(tcp_stream, *url, request, limits);
  } else {
    beast::ssl_stream<beast::tcp_stream> tls{std::move(tcp_stream), client.tls_context()};
    // SNI carries DNS names only (RFC 6066 §3); the verified name is the DNS name or the IP literal.
    if (!url->host_is_ip) SSL_set_tlsext_host_name(tls.native_handle(), url->host.c_str());
    tls.set_verify_mode(asio::ssl::verify_peer);
    tls.set_verify_callback(asio::ssl::host_name_verification(url->host));
    auto [handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_ec) {
      FetchError error = error_of(handshake_ec, FetchErrc::tls_failed);
      if (error.code == FetchErrc::io_error) error.code = FetchErrc::tls_failed;  // reset during handshake
      result = std::move(error);
    } else {
      result = co_await exchange(tls, *url, request, limits);
    }
    boost::system::error_code ignored;
    beast::get_lowest_layer(tls).socket().close(ignored);
  }
  wipe();
  co_return result;
}

FetchResult HttpClient::fetch(FetchRequest request, const FetchLimits& limits) const {
  asio::io_context io{1};
  std::optional<FetchResult> out;
  asio::co_spawn(io, async_fetch(*this, std::move(request), limits),
                 [&out](std::exception_ptr error, FetchResult result) {
                   if (error) {
                     out = FetchError{FetchErrc::io_error, "internal error"};
                   } else {
                     out = std::move(result);
                   }
                 });
  // The coroutine enforces the deadline itself; this bound is a second line of defence.
  io.run_for(limits.timeout + std::chrono::seconds(1));
  if (!out) return FetchError{FetchErrc::timeout, "no complete answer before the deadline"};
  return std::move(*out);
}

}  // namespace authgate::net
