#include "gateway/proxy.hpp"

#include <optional>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

namespace authgate::gateway {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
using ResponseParser = http::response_parser<http::buffer_body>;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

enum class RelayError : unsigned char { none, read, write, body_limit };

struct RelayStatus {
  RelayError error = RelayError::none;
  boost::system::error_code ec;
  std::uint64_t bytes = 0;
};

// RFC 9110 §9.2.2: only these may be sent again after a connection failed under them.
bool is_idempotent(http::verb verb) {
  return verb == http::verb::get || verb == http::verb::head || verb == http::verb::options ||
         verb == http::verb::trace || verb == http::verb::put || verb == http::verb::delete_;
}

int status_of(Reason reason) { return reason == Reason::upstream_timeout ? 504 : 502; }

// What the client gets when reading its body failed: 413 over the route's limit, 400 for broken
// chunked framing (RFC 9112 §7.1), nothing when it went away or stalled (the socket is closed then).
ProxyResult client_failure(const RelayStatus& relay) {
  ProxyResult result;
  const auto& http_errors = http::make_error_code(http::error::bad_chunk).category();
  if (relay.error == RelayError::body_limit) {
    result.status = 413;
    result.reason = Reason::request_too_large;
  } else if (relay.ec.category() == http_errors && relay.ec != http::error::end_of_stream &&
             relay.ec != http::error::partial_message) {
    result.status = 400;
    result.reason = Reason::bad_request;
  } else {
    result.reason = relay.ec == beast::error::timeout ? Reason::request_timeout : Reason::bad_request;
  }
  result.bytes_in = relay.bytes;
  return result;
}

// Reads the first piece of the request body before the upstream is contacted, so a broken first chunk
// is a 400 and the upstream never sees the head of a request that cannot be completed.
asio::awaitable<RelayStatus> prime_body(ClientSide& client) {
  RelayStatus status;
  auto& body = client.parser.get().body();
  while (!client.parser.is_done()) {
    body.data = client.scratch.data();
    body.size = client.scratch.size();
    client.stream.expires_after(client.limits.body_timeout);
    auto [ec, n] = co_await client.stream.visit(
        [&](auto& s) { return http::async_read_some(s, client.buffer, client.parser, use_tuple); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      status.error = ec == http::error::body_limit ? RelayError::body_limit : RelayError::read;
      status.ec = ec;
      co_return status;
    }
    status.bytes = client.scratch.size() - body.size;
    if (status.bytes > 0) break;
  }
  co_return status;
}

// The body half of Beast's relay(): read a piece into `scratch`, write it as one buffer_body piece.
template <bool isRequest>
asio::awaitable<RelayStatus> relay_body(Stream& in, beast::flat_buffer& in_buffer,
                                        http::parser<isRequest, http::buffer_body>& parser, Stream& out,
                                        http::serializer<isRequest, http::buffer_body>& serializer,
                                        std::span<char> scratch, std::chrono::milliseconds timeout,
                                        std::size_t primed = 0) {
  RelayStatus status;
  auto& body = parser.get().body();
  do {
    if (primed > 0) {
      // The first piece was read before the upstream was contacted (prime_body).
      body.data = scratch.data();
      body.size = primed;
      body.more = !parser.is_done();
      status.bytes += primed;
      primed = 0;
    } else if (!parser.is_done()) {
      body.data = scratch.data();
      body.size = scratch.size();
      in.expires_after(timeout);
      auto [ec, n] =
          co_await in.visit([&](auto& s) { return http::async_read_some(s, in_buffer, parser, use_tuple); });
      if (ec == http::error::need_buffer) ec = {};
      if (ec) {
        status.error = ec == http::error::body_limit ? RelayError::body_limit : RelayError::read;
        status.ec = ec;
        co_return status;
      }
      const auto got = scratch.size() - body.size;
      if (got == 0 && !parser.is_done()) continue;  // a chunk header, no data yet
      body.data = scratch.data();
      body.size = got;
      body.more = !parser.is_done();
      status.bytes += got;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    out.expires_after(timeout);
    auto [ec, n] = co_await out.visit([&](auto& s) { return http::async_write(s, serializer, use_tuple); });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      status.error = RelayError::write;
      status.ec = ec;
      co_return status;
    }
  } while (!parser.is_done() && !serializer.is_done());
  co_return status;
}

// Framing of the forwarded request: the length the client declared, or chunked when it streamed.
void set_request_framing(http::request<http::buffer_body>& request, const RequestParser& parser) {
  request.erase(http::field::content_length);
  if (parser.content_length()) {
    request.content_length(*parser.content_length());
  } else if (parser.chunked()) {
    request.chunked(true);
  }
}

// Connection management of a response we relay: HTTP/1.1 status line always; `close` when the
// connection ends, `keep-alive` for an HTTP/1.0 client that keeps it (RFC 9112 §9.3).
void set_connection(http::fields& fields, bool keep_alive, unsigned client_version) {
  if (!keep_alive) {
    fields.set(http::field::connection, "close");
  } else if (client_version < 11) {
    fields.set(http::field::connection, "keep-alive");
  }
}

asio::awaitable<boost::system::error_code> write_raw(Stream& stream, std::string_view bytes,
                                                     std::chrono::milliseconds timeout) {
  stream.expires_after(timeout);
  auto [ec, n] = co_await stream.visit(
      [&](auto& s) { return asio::async_write(s, asio::buffer(bytes.data(), bytes.size()), use_tuple); });
  co_return ec;
}

// One direction of the WebSocket tunnel: bytes already buffered first, then raw reads and writes.
asio::awaitable<void> pump(Stream& from, beast::flat_buffer& leftover, Stream& to, Clock::time_point& last) {
  std::vector<char> scratch(16 * 1024);
  bool ok = true;
  if (leftover.size() > 0) {
    auto [ec, n] =
        co_await to.visit([&](auto& s) { return asio::async_write(s, leftover.data(), use_tuple); });
    leftover.consume(leftover.size());
    ok = !ec;
  }
  while (ok) {
    auto [ec, n] =
        co_await from.visit([&](auto& s) { return s.async_read_some(asio::buffer(scratch), use_tuple); });
    if (ec) break;
    last = Clock::now();
    auto [wec, wn] = co_await to.visit(
        [&](auto& s) { return asio::async_write(s, asio::buffer(scratch.data(), n), use_tuple); });
    ok = !wec;
    last = Clock::now();
  }
  from.close();
  to.close();
}

// Ends the tunnel when neither direction moved for `idle` (closing both sockets ends the pumps).
asio::awaitable<void> watchdog(Stream& a, Stream& b, const Clock::time_point& last,
                               std::chrono::milliseconds idle) {
  asio::steady_timer timer{co_await asio::this_coro::executor};
  for (;;) {
    timer.expires_at(last + idle);
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;  // the pumps finished first
    if (Clock::now() >= last + idle) break;
  }
  a.close();
  b.close();
}

asio::awaitable<void> tunnel(ClientSide& client, UpstreamConnection& up) {
  client.stream.expires_never();
  up.stream.expires_never();
  auto last = Clock::now();
  co_await ((pump(client.stream, client.buffer, up.stream, last) &&
             pump(up.stream, up.buffer, client.stream, last)) ||
            watchdog(client.stream, up.stream, last, client.limits.idle_timeout));
}

// Reads the final response head, passing interim 1xx responses (other than 100 and 101) on to an
// HTTP/1.1 client (RFC 9110 §15.2) and dropping 100 Continue, which we never asked for.
asio::awaitable<boost::system::error_code> read_response_head(ClientSide& client, UpstreamConnection& up,
                                                              std::optional<ResponseParser>& parser,
                                                              bool head, std::chrono::milliseconds timeout) {
  for (;;) {
    parser.emplace();
    parser->body_limit(boost::none);
    if (head) parser->skip(true);
    up.stream.expires_after(timeout);
    auto [ec, n] = co_await up.stream.visit(
        [&](auto& s) { return http::async_read_header(s, up.buffer, *parser, use_tuple); });
    if (ec) co_return ec;
    const auto status = parser->get().result_int();
    if (status < 100 || status >= 200 || status == 101) co_return ec;
    if (status == 100 || client.version < 11) continue;
    http::response<http::empty_body> interim{parser->get().result(), 11};
    for (const auto& field : parser->get()) interim.insert(field.name_string(), field.value());
    prepare_client_response(interim.base());
    http::response_serializer<http::empty_body> serializer{interim};
    client.stream.expires_after(client.limits.body_timeout);
    auto [wec, wn] = co_await client.stream.visit(
        [&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
    if (wec) co_return wec;
  }
}

// The response half: transform the head, write it, stream the body, settle both connections.
asio::awaitable<ProxyResult> relay_response(ClientSide& client, std::unique_ptr<UpstreamConnection> up,
                                            ResponseParser& parser, ProxyResult result,
                                            const config::Upstream& upstream, UpstreamPool& pool) {
  auto& response = parser.get();
  const auto client_version = client.version;
  const bool head = client.parser.get().method() == http::verb::head;
  prepare_client_response(response.base());
  bool keep_alive = client.keep_alive && client.parser.is_done();
  if (!head && !parser.is_done() && !parser.content_length()) {
    // Upstream streams without a length: chunked for HTTP/1.1 clients, close-delimited for HTTP/1.0.
    if (client_version >= 11) {
      response.chunked(true);
    } else {
      keep_alive = false;
    }
  }
  response.version(11);
  set_connection(response.base(), keep_alive, client_version);
  result.status = response.result_int();
  result.response_started = true;

  http::response_serializer<http::buffer_body> serializer{response};
  client.stream.expires_after(client.limits.body_timeout);
  auto [ec, n] = co_await client.stream.visit(
      [&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
  if (ec) co_return result;
  auto relay = co_await relay_body(up->stream, up->buffer, parser, client.stream, serializer, client.scratch,
                                   client.limits.body_timeout);
  result.bytes_out = relay.bytes;
  if (relay.error != RelayError::none) {
    result.reason = relay.error == RelayError::read ? Reason::upstream_error : result.reason;
    co_return result;  // keep_alive stays false: the client saw a truncated response
  }
  if (parser.keep_alive()) pool.release(std::move(up), upstream);
  result.keep_alive = keep_alive;
  co_return result;
}

}  // namespace

asio::awaitable<ProxyResult> forward(ClientSide& client, const config::Upstream& upstream,
                                     const ForwardContext& context, UpstreamPool& pool) {
  auto& request = client.parser.get();
  client.version = request.version();
  const bool has_body = !client.parser.is_done();
  // RFC 9110 §10.1.1: 100 Continue goes out only now, after authentication succeeded.
  const bool expect_continue =
      has_body && request.version() >= 11 && beast::iequals(request[http::field::expect], "100-continue");
  const bool websocket = is_websocket_upgrade(request);
  const bool head = request.method() == http::verb::head;
  prepare_upstream_request(request.base(), context);
  set_request_framing(request, client.parser);
  const bool retryable = !has_body && is_idempotent(request.method());
  bool continue_sent = false;
  std::size_t primed = 0;
  if (has_body && !expect_continue) {
    const auto first = co_await prime_body(client);
    if (first.error != RelayError::none) co_return client_failure(first);
    primed = first.bytes;
  }

  ProxyResult result;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto lease = co_await pool.acquire(upstream, attempt > 0);
    if (!lease.connection) {
      result.status = status_of(lease.error);
      result.reason = lease.error;
      result.keep_alive = client.keep_alive && client.parser.is_done();
      co_return result;
    }
    auto& up = *lease.connection;
    const bool may_retry = lease.reused && retryable && attempt == 0;
    if (expect_continue && !continue_sent) {
      if (co_await write_raw(client.stream, "HTTP/1.1 100 Continue\r\n\r\n", client.limits.body_timeout)) {
        co_return result;
      }
      continue_sent = true;
    }
    const auto sent_at = Clock::now();
    http::request_serializer<http::buffer_body> serializer{request};
    up.stream.expires_after(client.limits.body_timeout);
    auto [ec, n] =
        co_await up.stream.visit([&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
    if (ec && may_retry) continue;
    RelayStatus relay;
    if (!ec) {
      relay = co_await relay_body(client.stream, client.buffer, client.parser, up.stream, serializer,
                                  client.scratch, client.limits.body_timeout, primed);
    }
    result.bytes_in = relay.bytes;
    if (relay.error == RelayError::read || relay.error == RelayError::body_limit) {
      // The client stalled, vanished, broke its framing or sent more than the route allows.
      auto failure = client_failure(relay);
      failure.upstream_time = result.upstream_time;
      co_return failure;
    }
    if (ec || relay.error == RelayError::write) {
      if (may_retry) continue;
      result.status = 502;
      result.reason = Reason::upstream_error;
      result.keep_alive = client.keep_alive && client.parser.is_done();
      co_return result;
    }

    std::optional<ResponseParser> parser;
    auto read_ec = co_await read_response_head(client, up, parser, head, upstream.response_timeout);
    result.upstream_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_at);
    if (read_ec) {
      if (may_retry && read_ec != beast::error::timeout && up.buffer.size() == 0) continue;
      result.status = read_ec == beast::error::timeout ? 504 : 502;
      result.reason = read_ec == beast::error::timeout ? Reason::upstream_timeout : Reason::upstream_error;
      result.keep_alive = client.keep_alive && client.parser.is_done();
      co_return result;
    }
    if (parser->get().result() == http::status::switching_protocols) {
      if (!websocket) {
        result.status = 502;  // an upgrade nobody asked for: the framing is lost
        result.reason = Reason::upstream_error;
        co_return result;
      }
      prepare_client_response(parser->get().base());
      http::response_serializer<http::buffer_body> serializer101{parser->get()};
      client.stream.expires_after(client.limits.body_timeout);
      auto [wec, wn] = co_await client.stream.visit(
          [&](auto& s) { return http::async_write_header(s, serializer101, use_tuple); });
      result.status = 101;
      result.response_started = true;
      if (!wec) co_await tunnel(client, up);
      co_return result;
    }
    co_return co_await relay_response(client, std::move(lease.connection), *parser, result, upstream, pool);
  }
  result.status = 502;
  result.reason = Reason::upstream_error;
  result.keep_alive = client.keep_alive && client.parser.is_done();
  co_return result;
}

}  // namespace authgate::gateway
