#include "gateway/conn/session_impl.hpp"

#include <spdlog/spdlog.h>

#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/read_size.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/policy/decision.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/request_record.hpp"
#include "gateway/proxy/proxy.hpp"
#include "http/accept_html.hpp"
#include "http/buffered_head.hpp"
#include "http/field_edits.hpp"
#include "http/head_check.hpp"
#include "http/local_reply.hpp"
#include "http/request_id.hpp"
#include "http/spare_memory.hpp"

namespace authgate::gateway {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool expects_continue(const RequestHead& request) {
  return request.version() >= 11 &&
         grammar::iequals(first_value(request, http::field::expect), "100-continue");
}

}  // namespace

Session::Session(Stream stream, GatewayState& state, IoThread& thread, SessionInfo info)
    : stream_(std::move(stream)), state_(state), thread_(thread), info_(std::move(info)) {
  client_ = info_.client_ip + ":" + std::to_string(info_.client_port);
  boost::system::error_code ec;
  peer_ = asio::ip::make_address(info_.client_ip, ec);  // once per connection, not per request
}

asio::awaitable<void> Session::run() {
  if (co_await handshake()) {
    bool first = true;
    while (!state_.draining.load(std::memory_order_relaxed)) {
      // Waiting for the next request, in this frame (a frame per request costs ≈ 300 instructions).
      // Pipelined: the next request is already here.
      if (buffer_.size() == 0) {
        begin_wait(first);
        std::size_t n = 0;
        boost::system::error_code ec;
        if (stream_.is_tls()) {
          std::tie(ec, n) = co_await stream_.visit(
              [&](auto& s) { return s.async_read_some(buffer_.prepare(first_read_bytes), use_tuple); });
          if (!ec) buffer_.commit(n);
        } else {
          // The first bytes land in the session's landing area (no heap buffer for a connection whose
          // heads are short), where parse_arrived_head() parses them. A read (unlike a readiness wait)
          // needs no epoll_ctl per request.
          const auto area = landing_.next();
          std::tie(ec, n) =
              co_await stream_.socket().async_read_some(asio::buffer(area.data(), area.size()), use_tuple);
          if (!ec) landing_.landed(n);
        }
        end_wait(first);
        if (ec) break;
      }
      first = false;
      if (!co_await serve_one()) break;
    }
  }
  if (unread_input_) co_await linger_close();
  stream_.close();
}

asio::awaitable<bool> Session::handshake() {
  auto* tls = stream_.tls();
  if (tls == nullptr) co_return true;
  stream_.expires_after(state_.snapshots.current()->config.limits.header_timeout);
  auto [ec] = co_await tls->async_handshake(asio::ssl::stream_base::server, use_tuple);
  if (ec) spdlog::debug("{}: TLS handshake failed: {}", client_, ec.message());
  co_return !ec;
}

void Session::begin_wait(bool first) {
  const auto& limits = state_.snapshots.current()->config.limits;
  stream_.expires_after(first ? limits.header_timeout : limits.idle_timeout);
  release_idle_buffers();
  idle_ = true;
  if (ticket_ != nullptr)
    ticket_->set_phase(first ? ConnectionTable::Phase::head : ConnectionTable::Phase::idle);
}

void Session::end_wait(bool first) {
  idle_ = false;
  // Bytes of a head came (or the wait ended): until the head is complete this connection owes one.
  if (ticket_ != nullptr && !first) ticket_->set_phase(ConnectionTable::Phase::head);
}

std::span<char> Session::scratch() { return LazyScratch{scratch_, thread_}.get(); }

void Session::release_idle_buffers() {
  if (!scratch_.empty()) thread_.give_back_scratch(std::exchange(scratch_, {}));
  if (buffer_.size() == 0) buffer_.shrink_to_fit();
}

// A head that arrived whole (the common case) parses where it landed, with no I/O, no timer and no
// copy; only what it leaves (an incomplete head, body bytes) moves to the buffer. No coroutine: the
// common case costs no frame. nullopt when more bytes are needed (read_rest_of_head).
std::optional<boost::system::error_code> Session::parse_arrived_head(Exchange& x) {
  if (const auto landed = landing_.take(); !landed.empty()) {
    return parse_head_from(x.parser, asio::buffer(landed.data(), landed.size()), buffer_);
  }
  return parse_buffered_head(x.parser, buffer_);
}

// The rest of a head that did not come whole: read and parse until it is complete. Not Beast's
// async_read_header, so every head goes through feed_head() and its checks on the raw bytes. A head not
// complete within header_timeout → beast::error::timeout; the deadline cancels the read but leaves the
// socket open, so the 408 can still be sent.
asio::awaitable<boost::system::error_code> Session::read_rest_of_head(Exchange& x) {
  stream_.expires_after(x.snapshot->config.limits.header_timeout);
  for (;;) {
    const auto room = beast::read_size(buffer_, relay_read_bytes);
    if (room == 0) co_return http::error::header_limit;  // the capped buffer is full (cap_read_buffer)
    auto [ec, n] =
        co_await stream_.visit([&](auto& s) { return s.async_read_some(buffer_.prepare(room), use_tuple); });
    buffer_.commit(n);
    if (ec == asio::error::eof) {
      co_return buffer_.size() == 0 ? http::error::end_of_stream : http::error::partial_message;
    }
    if (ec) co_return stream_.timed(ec);
    if (const auto parsed = parse_buffered_head(x.parser, buffer_)) co_return *parsed;
  }
}

asio::awaitable<bool> Session::serve_one() {
  // The exchange is large (two parsers' worth): in the frame it would push the frame past what Asio
  // recycles, a malloc per request; recycled storage costs none, and an idle connection holds none.
  const Recycled<Exchange> exchange;
  Exchange& x = *exchange;
  x.snapshot = state_.snapshots.current();
  const auto& limits = x.snapshot->config.limits;
  x.parser.header_limit(
      static_cast<std::uint32_t>(std::min<std::size_t>(limits.max_header_bytes, UINT32_MAX)));
  x.parser.body_limit(boost::none);
  x.chunk_guard.emplace(limits.max_chunk_metadata_bytes, x.parser.get());
  x.parser.on_chunk_header(*x.chunk_guard);
  cap_read_buffer(buffer_, limits.max_header_bytes, limits.max_chunk_metadata_bytes);
  x.record.client = client_;
  x.record.client_ip = info_.client_ip;
  x.record.client_port = info_.client_port;
  x.record.listener = info_.listener;
  boost::system::error_code ec;
  if (const auto parsed = parse_arrived_head(x)) {
    ec = *parsed;
  } else {
    ec = co_await read_rest_of_head(x);
  }
  if (ticket_ != nullptr && !ec) ticket_->set_phase(ConnectionTable::Phase::busy);
  x.started = std::chrono::steady_clock::now();
  x.record.start = std::chrono::system_clock::now();
  if (ec) co_return co_await on_head_error(x, ec);
  x.record.method = std::string{x.parser.get().method_string()};
  // The proxy rewrites the version and may write a Host for an HTTP/1.0 client that sent none.
  x.record.protocol = x.parser.get().version() == 10 ? "HTTP/1.0" : "HTTP/1.1";
  const auto& request = x.parser.get();
  x.host_sent = count_named(request, http::field::host) != 0;
  x.from_trusted_proxy = peer_is_trusted_proxy(*x.snapshot);
  // Only a trusted proxy's id is taken: the fields are not even looked up for anyone else.
  x.record.request_id = x.from_trusted_proxy
                            ? choose_request_id(request["X-Request-Id"], request["traceparent"], true)
                            : fresh_request_id();
  x.keep_alive = request_keeps_alive(x.parser) && !state_.draining.load(std::memory_order_relaxed);
  // One straight path per kind of listener: the forward proxy's, forward-auth's, the reverse proxy's.
  bool keep = false;
  if (info_.side == policy::Side::proxy) {
    keep = co_await handle_proxy(x);
  } else if (info_.decides) {
    keep = co_await handle_decision(x);
  } else if (const auto refusal = admit(x)) {
    keep = co_await reply(x, refusal->status, refusal->reason);
  } else {
    keep = co_await authorize_and_act(x);
  }
  finish(x);
  co_return keep;
}

asio::awaitable<bool> Session::on_head_error(Exchange& x, boost::system::error_code ec) {
  x.keep_alive = false;
  unread_input_ = true;
  bool replied = true;
  if (ec == beast::error::timeout) {
    // RFC 9110 §15.5.9: the client did not finish its request in time.
    co_await reply(x, 408, Reason::request_timeout);
  } else if (ec == http::error::header_limit) {
    // The parser sets the target once the request line is complete: without one, the line itself
    // was too long, which is a URI problem (414), not a field one (431).
    if (x.parser.get().target().empty()) {
      co_await reply(x, 414, Reason::uri_too_long);
    } else {
      co_await reply(x, 431, Reason::header_too_large);
    }
  } else if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
             ec != http::error::end_of_stream && ec != http::error::partial_message) {
    co_await reply(x, 400, Reason::bad_request);  // the head broke HTTP/1.1 syntax (RFC 9112 §2.2)
  } else {
    replied = false;  // the client went away
  }
  if (replied) finish(x);
  co_return false;
}

Session::AnswerPlan Session::plan_answer(const Exchange& x) const {
  const bool body_pending = !x.parser.is_done() && x.parser.is_header_done();
  // Why: after a final status instead of 100 Continue the client may or may not send its body
  // (RFC 9110 §10.1.1), so the framing of the next request is unknown: close.
  const bool can_drain = body_pending && !expects_continue(x.parser.get()) && x.parser.content_length() &&
                         *x.parser.content_length() <= x.snapshot->config.limits.drain_bytes;
  const bool keep =
      x.keep_alive && !state_.draining.load(std::memory_order_relaxed) && (!body_pending || can_drain);
  return AnswerPlan{keep, body_pending};
}

// Not a coroutine: the answer is rendered here (into the request's arena) and send_answer() owns it, so a
// local reply costs one coroutine frame, not two.
asio::awaitable<bool> Session::reply(Exchange& x, int status, Reason reason,
                                     std::vector<grammar::Challenge> challenges,
                                     std::chrono::seconds retry_after,
                                     const RenderedChallenges* rendered_challenges) {
  return send_answer(
      x, render_reply(x, status, reason, std::move(challenges), retry_after, rendered_challenges));
}

Session::Answer Session::render_reply(Exchange& x, int status, Reason reason,
                                      std::vector<grammar::Challenge> challenges,
                                      std::chrono::seconds retry_after,
                                      const RenderedChallenges* rendered_challenges) {
  const auto plan = plan_answer(x);
  LocalReply local;
  local.status = status;
  local.client_version = x.parser.is_header_done() ? x.parser.get().version() : 11;
  local.head = x.parser.is_header_done() && x.parser.get().method() == http::verb::head;
  local.keep_alive = plan.keep;
  local.side = info_.side;
  local.challenges = std::move(challenges);
  local.rendered_challenges = rendered_challenges;
  local.retry_after = retry_after;
  local.date = thread_.date();
  local.html = x.parser.is_header_done() && prefers_html(first_value(x.parser.get(), http::field::accept));
  if (local.html) {
    const auto& pages = x.route != nullptr ? x.route->error_pages : x.snapshot->error_pages;
    local.custom_page = pages.find(status);
  }
  if (info_.decides) adapt_for_front_proxy(*x.snapshot, local);
  auto response = render_local_reply(local, HeadAllocator<char>{x.arena});
  x.record.status = status;
  x.record.reason = reason;
  x.record.bytes_out = response.body_bytes;
  return Answer{std::move(response.wire), plan};
}

void Session::adapt_for_front_proxy(const config::Snapshot& snapshot, LocalReply& local) const {
  const auto* decider = snapshot.forward_auth(info_.listener);
  if (decider == nullptr || !decider->nginx_compat) return;
  // nginx auth_request passes on 401 and 403 and turns every other status into 500, and passes only
  // the first WWW-Authenticate line of a 401 (nginx 1.22): the real status goes in X-Authgate-Status
  // for the recipe in docs/forward-auth.md to map back, and the challenges share one line (RFC 9110
  // §11.6.1 allows the list).
  local.meant_status = local.status;
  if (local.status != 401 && local.status != 403) local.status = 403;
  local.one_challenge_field = true;
}

std::optional<bool> Session::answer_now(Answer& answer) {
  const auto write = start_write(stream_, asio::buffer(answer.wire));
  if (write.ec) return false;
  answer.sent = answer.wire.size() - write.rest.size();
  if (!write.done()) return std::nullopt;
  const auto plan = answer.plan;
  if (plan.body_pending && !plan.keep) unread_input_ = true;
  if (plan.keep && plan.body_pending) return std::nullopt;  // the body is drained first (send_answer)
  return plan.keep;
}

asio::awaitable<bool> Session::send_answer(Exchange& x, Answer answer) {
  const auto plan = answer.plan;
  bool keep = plan.keep;
  auto write = start_write(stream_, asio::buffer(answer.wire) + answer.sent);
  if (!write.done())
    write.ec = co_await finish_write(stream_, write.rest, x.snapshot->config.limits.body_timeout);
  if (write.ec) co_return false;
  if (plan.body_pending && !keep) unread_input_ = true;
  if (keep && plan.body_pending) keep = co_await drain_body(x);
  co_return keep;
}

asio::awaitable<bool> Session::drain_body(Exchange& x) {
  auto& body = x.parser.get().body();
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
  while (!x.parser.is_done()) {
    const auto buffer = scratch();
    body.data = buffer.data();
    body.size = buffer.size();
    stream_.expires_after(x.snapshot->config.limits.body_timeout);
    // NOLINTBEGIN(clang-analyzer-core.NullDereference): the same false positive (asio#1511)
    auto [ec, n] = co_await stream_.visit(
        [&](auto& s) { return http::async_read_some(s, buffer_, x.parser, use_tuple); });
    // NOLINTEND(clang-analyzer-core.NullDereference)
    if (ec && ec != http::error::need_buffer) co_return false;
  }
  co_return true;
}

// Lingering close (as Apache and nginx do): after answering a request whose body we did not read,
// stop sending and swallow what the client still sends for a moment, so its TCP stack does not turn
// our final response into a reset.
asio::awaitable<void> Session::linger_close() {
  boost::system::error_code ignored;
  if (!stream_.is_tls()) stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  const auto& limits = state_.snapshots.current()->config.limits;
  stream_.expires_after(limits.linger_timeout);
  const auto buffer = scratch();
  std::size_t swallowed = 0;
  while (swallowed < limits.linger_bytes) {
    auto [ec, n] =
        co_await stream_.socket().async_read_some(asio::buffer(buffer.data(), buffer.size()), use_tuple);
    if (ec) break;
    swallowed += n;
  }
}

bool Session::peer_is_trusted_proxy(const config::Snapshot& snapshot) const {
  const auto* decider = snapshot.forward_auth(info_.listener);
  const auto* proxies =
      decider != nullptr ? &decider->trusted_sources : snapshot.trusted_proxies_of(info_.listener);
  return proxies != nullptr && !peer_.is_unspecified() && proxies->contains(peer_);
}

void Session::finish(Exchange& x) {
  x.record.total_time = since(x.started);
  if (x.record.request_id.empty()) x.record.request_id = fresh_request_id();  // a head that never parsed
  if (x.parser.is_header_done()) {
    const auto& request = x.parser.get();
    // Read now, not kept from the head: the proxy may have replaced or removed these fields since.
    if (!x.record.original_host.empty()) {
      x.record.host = x.record.original_host;
    } else if (x.host_sent) {
      x.record.host = first_value(request, http::field::host);
    }
    x.record.user_agent = first_value(request, http::field::user_agent);
  }
  state_.record(x.record);
}

asio::awaitable<void> run_session(Stream stream, GatewayState& state, IoThread& thread, SessionInfo info,
                                  ConnectionTable::Ticket ticket) {
  {
    Session session{std::move(stream), state, thread, std::move(info)};
    thread.sessions.insert(&session);
    // Closed to make room for another connection (connection_table.hpp): on this thread, if still open.
    auto alive = std::make_shared<bool>(true);
    ticket.on_evict([executor = thread.context.get_executor(), weak = std::weak_ptr<bool>(alive), &session] {
      asio::post(executor, [weak, &session] {
        if (weak.lock()) session.close_for_room();
      });
    });
    session.track(ticket);
    state.connections.fetch_add(1, std::memory_order_relaxed);
    if (state.metrics != nullptr) state.metrics->connection_opened();
    try {
      co_await session.run();
    } catch (const std::exception& e) {
      spdlog::error("session ended by an unexpected error: {}", e.what());
    }
    if (state.metrics != nullptr) state.metrics->connection_closed();
    state.connections.fetch_sub(1, std::memory_order_relaxed);
    thread.sessions.erase(&session);
  }
  // Only now, with the socket closed, is the slot free: max_connections counts sockets, not sessions.
  ticket.release();
}

void close_idle_sessions(IoThread& thread) {
  for (auto* session : thread.sessions) session->close_if_idle();
}

}  // namespace authgate::gateway
