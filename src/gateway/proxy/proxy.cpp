#include "gateway/proxy/proxy.hpp"

#include <optional>
#include <utility>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "gateway/proxy/body_relay.hpp"
#include "gateway/proxy/tunnel.hpp"
#include "http/buffered_head.hpp"
#include "http/field_edits.hpp"
#include "http/head_bytes.hpp"

namespace authgate::gateway {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// RFC 9110 §9.2.2: only these may be sent again after a connection failed under them.
bool is_idempotent(http::verb verb) {
  return verb == http::verb::get || verb == http::verb::head || verb == http::verb::options ||
         verb == http::verb::trace || verb == http::verb::put || verb == http::verb::delete_;
}

constexpr int max_interim_responses = 16;

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
    const auto scratch = client.scratch.get();
    body.data = scratch.data();
    body.size = scratch.size();
    client.stream.expires_after(client.limits.body_timeout);
    auto [ec, n] = co_await client.stream.visit(
        [&](auto& s) { return http::async_read_some(s, client.buffer, client.parser, use_tuple); });
    if (ec == http::error::need_buffer) ec = {};
    if (!ec && client.parser.is_done() && client.chunk_guard.trailers_too_large())
      ec = http::error::header_limit;
    if (ec) {
      status.error = ec == http::error::body_limit ? RelayError::body_limit : RelayError::read;
      status.ec = client.stream.timed(ec);
      co_return status;
    }
    status.bytes = scratch.size() - body.size;
    if (status.bytes > 0) break;
  }
  co_return status;
}

// Framing of the forwarded request: the length the client declared, or chunked when it streamed.
void set_request_framing(http::request<http::buffer_body, Fields>& request, const RequestParser& parser) {
  request.erase(http::field::content_length);
  if (parser.content_length()) {
    request.content_length(*parser.content_length());
  } else if (parser.chunked()) {
    request.chunked(true);
  }
}

// Connection management of a response we relay: HTTP/1.1 status line always; `close` when the
// connection ends, `keep-alive` for an HTTP/1.0 client that keeps it (RFC 9112 §9.3).
void set_connection(Fields& fields, bool keep_alive, unsigned client_version) {
  if (!keep_alive) {
    fields.set(http::field::connection, "close");
  } else if (client_version < 11) {
    fields.set(http::field::connection, "keep-alive");
  }
}

// Reads the final response head, passing interim 1xx responses (other than 100 and 101) on to an
// HTTP/1.1 client (RFC 9110 §15.2) and dropping 100 Continue, which we never asked for.
asio::awaitable<boost::system::error_code> read_response_head(ClientSide& client, UpstreamConnection& up,
                                                              std::optional<ResponseParser>& parser,
                                                              bool head, const config::Upstream& upstream) {
  const auto header_limit = std::min<std::size_t>(upstream.max_response_header_bytes, UINT32_MAX);
  for (int interims = 0;; ++interims) {
    parser.emplace(std::piecewise_construct, std::tuple<>{},
                   std::make_tuple(client.parser.get().get_allocator()));
    parser->body_limit(boost::none);
    // Beast's 8 KiB default is small for Set-Cookie-heavy apps: upstreams.<name>.max_response_header_bytes.
    parser->header_limit(static_cast<std::uint32_t>(header_limit));
    if (head) parser->skip(true);
    up.stream.expires_after(upstream.response_timeout);
    // Parsed from what is already buffered, else read and parsed until it is complete. Plain reads, in
    // this frame, not Beast's async_read_header: its two layers of composed operations (each moving the
    // executor and the handler) cost ≈ 1,300 instructions per response, more than the reads themselves.
    // The outcomes are Beast's: end_of_stream when the upstream closed before a byte, partial_message
    // after some, header_limit when the capped buffer is full (cap_read_buffer).
    for (;;) {
      if (const auto parsed = parse_buffered_head(*parser, up.buffer)) {
        if (*parsed) co_return *parsed;
        break;
      }
      const auto room = beast::read_size(up.buffer, relay_read_bytes);
      if (room == 0) co_return http::error::header_limit;
      auto [ec, n] = co_await up.stream.visit(
          [&](auto& s) { return s.async_read_some(up.buffer.prepare(room), use_tuple); });
      up.buffer.commit(n);
      if (ec == asio::error::eof) {
        co_return up.buffer.size() == 0 ? http::error::end_of_stream : http::error::partial_message;
      }
      if (ec) co_return up.stream.timed(ec);
    }
    const auto status = parser->get().result_int();
    if (status < 100 || status >= 200 || status == 101) co_return boost::system::error_code{};
    // Each head is parsed into the request's arena, which takes nothing back until the request ends: an
    // upstream that sends 1xx heads without end gets a 502 at the first one past the limit.
    if (interims == max_interim_responses) co_return http::error::bad_status;
    if (status == 100 || client.version < 11) continue;
    // By number: Beast's status enum has no 103, so result() would turn Early Hints into "000".
    http::response<http::empty_body, Fields> interim;
    interim.version(11);
    interim.result(static_cast<unsigned>(status));
    interim.reason(parser->get().reason());  // an empty one is named by prepare_client_response()
    for (const auto& field : parser->get()) interim.insert(field.name_string(), field.value());
    prepare_client_response(interim.base());
    http::response_serializer<http::empty_body, Fields> serializer{interim};
    client.stream.expires_after(client.limits.body_timeout);
    // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
    // internals is a false positive (asio#1511).
    // NOLINTBEGIN(clang-analyzer-core.NullDereference)
    auto [wec, wn] = co_await client.stream.visit(
        [&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
    // NOLINTEND(clang-analyzer-core.NullDereference)
    if (wec) co_return client.stream.timed(wec);
  }
}

// Largest body the proxy answers from a single string together with its head (see relay_response).
constexpr std::size_t whole_body_limit = std::size_t{16} * 1024;

// A body of known length, small enough, all of it already read with the head.
bool body_arrived_whole(const ResponseParser& parser, const beast::flat_buffer& buffered) {
  const auto length = parser.content_length();
  return length && *length <= whole_body_limit && *length <= buffered.size();
}

// Parses the body that arrived whole (body_arrived_whole) into `room`, the wire's bytes after the head.
// False when it does not parse: the upstream's fault (502).
bool parse_whole_body(ResponseParser& parser, beast::flat_buffer& buffered, std::span<char> room) {
  auto& body = parser.get().body();
  body.data = room.data();
  body.size = room.size();
  boost::system::error_code ec;
  const auto used = parser.put(buffered.data(), ec);
  buffered.consume(used);
  return !ec && parser.is_done() && body.size == 0;
}

// The response half: transform the head, write it, stream the body, settle both connections.
asio::awaitable<ProxyResult> relay_response(ClientSide& client, std::unique_ptr<UpstreamConnection> up,
                                            ResponseParser& parser, const ChunkMetadataGuard& guard,
                                            ProxyResult result, const config::Upstream& upstream,
                                            UpstreamPool& pool) {
  auto& response = parser.get();
  const auto client_version = client.version;
  const bool head = client.parser.get().method() == http::verb::head;
  prepare_client_response(response.base());
  add_response_fields(response.base(), client.response_fields);
  if (client.private_response) make_private(response.base());
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
  result.status = static_cast<int>(response.result_int());
  result.response_started = true;

  // The common case: the body (or none) came with the head. One write of head and body, laid out in the
  // request's arena: no serializer, no relay buffer, no malloc for a small body. The head is rendered before
  // the body is parsed, so it is final here.
  if (parser.is_done() || body_arrived_whole(parser, up->buffer)) {
    const std::size_t body_size = parser.is_done() ? 0 : *parser.content_length();
    const auto wire = head_bytes_in_arena(response.base(), body_size);
    if (body_size > 0 && !parse_whole_body(parser, up->buffer, wire.last(body_size))) {
      result.status = 502;  // nothing was sent: the caller answers 502
      result.reason = Reason::upstream_error;
      result.response_started = false;
      co_return result;
    }
    auto write = start_write(client.stream, asio::buffer(wire.data(), wire.size()));
    if (!write.done())
      write.ec = co_await finish_write(client.stream, write.rest, client.limits.body_timeout);
    if (write.ec) co_return result;  // keep_alive stays false
    result.bytes_out = body_size;
  } else {
    http::response_serializer<http::buffer_body, Fields> serializer{response};
    // Body bytes that came with the head leave in the same write as it (one send, one wakeup of the
    // peer); a body still to come (a slow stream, server-sent events) gets the head sent now.
    if (up->buffer.size() == 0) {
      client.stream.expires_after(client.limits.body_timeout);
      auto [ec, n] = co_await client.stream.visit(
          [&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
      if (ec) co_return result;
    }
    auto relay = co_await relay_body(up->stream, up->buffer, parser, client.stream, serializer,
                                     client.scratch.get(), client.limits.body_timeout, guard);
    result.bytes_out = relay.bytes;
    if (relay.error != RelayError::none) {
      result.reason = relay.error == RelayError::read ? Reason::upstream_error : result.reason;
      co_return result;  // keep_alive stays false: the client saw a truncated response
    }
  }
  if (parser.keep_alive()) pool.release(std::move(up), upstream);
  result.keep_alive = keep_alive;
  co_return result;
}

/// What forward() learned from the request head before any upstream is involved.
struct Plan {
  bool has_body = false;
  bool expect_continue = false;
  bool websocket = false;
  bool head = false;
  bool retryable = false;  // idempotent without a body: may be sent again on a fresh connection
  std::size_t primed = 0;  // body bytes already read into the scratch buffer
  bool continue_sent = false;
  std::string_view gateway_fields;  // without a body: written after the head's fields (prepare_upstream_head)
};

ProxyResult upstream_failure(const ClientSide& client, Reason reason) {
  ProxyResult result;
  result.status = status_of(reason);
  result.reason = reason;
  result.keep_alive = client.keep_alive && client.parser.is_done();
  return result;
}

// A request with no body to send: its head alone, in one write, without Beast's serializer (see
// head_bytes.hpp). Started without a coroutine, so the common request costs no frame for it.
bool sends_head_only(const ClientSide& client, const Plan& plan) {
  return client.parser.is_done() && plan.primed == 0 && !(plan.expect_continue && !plan.continue_sent);
}

StartedWrite start_head_only(ClientSide& client, UpstreamConnection& up, const Plan& plan) {
  const auto wire_head = head_bytes_in_arena(client.parser.get().base(), 0, plan.gateway_fields);
  return start_write(up.stream, asio::buffer(wire_head.data(), wire_head.size()));
}

// Sends the head (after the 100 Continue the client waits for) and streams the body: a request with one
// (sends_head_only() is false; forward() sends the others). A write error names the upstream; read and
// body_limit errors name the client.
asio::awaitable<RelayStatus> send_request(ClientSide& client, UpstreamConnection& up, Plan& plan) {
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
  if (plan.expect_continue && !plan.continue_sent) {
    plan.continue_sent = true;
    constexpr std::string_view interim = "HTTP/1.1 100 Continue\r\n\r\n";
    if (auto ec = co_await write_all(client.stream, asio::buffer(interim), client.limits.body_timeout)) {
      co_return RelayStatus{RelayError::read, ec, 0};
    }
  }
  http::request_serializer<http::buffer_body, Fields> serializer{client.parser.get()};
  if (plan.primed == 0) {
    // The body is still to come (e.g. after 100 Continue): the upstream gets the head now.
    up.stream.expires_after(client.limits.body_timeout);
    // NOLINTBEGIN(clang-analyzer-core.NullDereference): the false positive above (asio#1511)
    auto [ec, n] =
        co_await up.stream.visit([&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
    // NOLINTEND(clang-analyzer-core.NullDereference)
    if (ec) co_return RelayStatus{RelayError::write, up.stream.timed(ec), 0};
  }
  co_return co_await relay_body(client.stream, client.buffer, client.parser, up.stream, serializer,
                                client.scratch.get(), client.limits.body_timeout, client.chunk_guard,
                                std::exchange(plan.primed, 0));
}

// A 101: pass it on and tunnel, but only for the WebSocket upgrade the client asked for.
asio::awaitable<ProxyResult> switch_protocols(ClientSide& client, UpstreamConnection& up,
                                              ResponseParser& parser, const Plan& plan, ProxyResult result) {
  if (!plan.websocket) {
    result.status = 502;  // an upgrade nobody asked for: the framing is lost
    result.reason = Reason::upstream_error;
    co_return result;
  }
  prepare_client_response(parser.get().base());
  add_response_fields(parser.get().base(), client.response_fields);
  http::response_serializer<http::buffer_body, Fields> serializer{parser.get()};
  client.stream.expires_after(client.limits.body_timeout);
  auto [ec, n] = co_await client.stream.visit(
      [&](auto& s) { return http::async_write_header(s, serializer, use_tuple); });
  result.status = 101;
  result.response_started = true;
  if (!ec) co_await tunnel(client.stream, client.buffer, up.stream, up.buffer, client.limits.idle_timeout);
  co_return result;
}

}  // namespace

asio::awaitable<ProxyResult> forward(ClientSide& client, const config::Upstream& upstream,
                                     const UpstreamTarget& target, const ForwardContext& context,
                                     UpstreamPool& pool) {
  auto& request = client.parser.get();
  client.version = request.version();
  Plan plan;
  plan.has_body = !client.parser.is_done() || client.primed > 0;
  // RFC 9110 §10.1.1: 100 Continue goes out only now, after authentication succeeded.
  plan.expect_continue = plan.has_body && request.version() >= 11 &&
                         beast::iequals(first_value(request, http::field::expect), "100-continue");
  plan.websocket = is_websocket_upgrade(request);
  plan.head = request.method() == http::verb::head;
  plan.retryable = !plan.has_body && is_idempotent(request.method());
  if (plan.has_body) {
    prepare_upstream_request(request.base(), context);  // Beast's serializer writes this head
  } else {
    // The head goes out alone, in one write: the gateway's fields are written after its own fields.
    plan.gateway_fields = prepare_upstream_head(request.base(), context);
  }
  set_request_framing(request, client.parser);
  if (client.primed > 0) {
    plan.primed = client.primed;  // read whole before authentication (RFC 6750 §2.2 form token)
  } else if (plan.has_body && !plan.expect_continue) {
    const auto first = co_await prime_body(client);
    if (first.error != RelayError::none) co_return client_failure(first);
    plan.primed = first.bytes;
    if (plan.primed == 0 && client.parser.is_done()) {
      // A chunked body that was only its last-chunk: the request goes as the empty body it is. It
      // takes the head-only path, which must not announce chunked framing it never sends.
      request.chunked(false);
      request.content_length(0);
    }
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto reuse = attempt > 0 ? Reuse::never : Reuse::checked;
    auto lease = pool.reuse_idle(target, reuse);
    if (!lease.connection) lease = co_await pool.connect(upstream, target);
    if (!lease.connection) co_return upstream_failure(client, lease.error);
    auto& up = *lease.connection;
    const bool may_retry = lease.reused && plan.retryable && attempt == 0;
    const auto sent_at = Clock::now();
    RelayStatus sent;
    if (sends_head_only(client, plan)) {
      auto write = start_head_only(client, up, plan);
      if (!write.done()) write.ec = co_await finish_write(up.stream, write.rest, client.limits.body_timeout);
      if (write.ec) sent = RelayStatus{RelayError::write, write.ec, 0};
    } else {
      sent = co_await send_request(client, up, plan);
    }
    if (sent.error == RelayError::read || sent.error == RelayError::body_limit)
      co_return client_failure(sent);
    if (sent.error == RelayError::write) {
      if (may_retry) continue;
      co_return upstream_failure(client, Reason::upstream_error);
    }
    auto& parser = client.response;
    cap_read_buffer(up.buffer, upstream.max_response_header_bytes, client.limits.max_chunk_metadata_bytes);
    const auto read_ec = co_await read_response_head(client, up, parser, plan.head, upstream);
    ProxyResult result;
    result.bytes_in = sent.bytes;
    result.upstream_time = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - sent_at);
    if (read_ec) {
      // Only a stale pooled connection that failed before a single response byte is retried.
      if (may_retry && read_ec != beast::error::timeout && up.buffer.size() == 0) continue;
      auto failure = upstream_failure(
          client, read_ec == beast::error::timeout ? Reason::upstream_timeout : Reason::upstream_error);
      failure.bytes_in = result.bytes_in;
      failure.upstream_time = result.upstream_time;
      co_return failure;
    }
    if (parser->get().result() == http::status::switching_protocols) {
      co_return co_await switch_protocols(client, up, *parser, plan, result);
    }
    // An upstream's chunk extensions and trailers are bounded like a client's (a 502 beyond them).
    ChunkMetadataGuard response_guard{client.limits.max_chunk_metadata_bytes, parser->get()};
    parser->on_chunk_header(response_guard);
    co_return co_await relay_response(client, std::move(lease.connection), *parser, response_guard, result,
                                      upstream, pool);
  }
  co_return upstream_failure(client, Reason::upstream_error);
}

}  // namespace authgate::gateway
