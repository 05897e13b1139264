#include "gateway/ops/admin.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "authgate/grammar/ascii.hpp"
#include "gateway/ops/admin_revoke.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/process_metrics.hpp"

namespace authgate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct AdminServer::State {
  State(const asio::any_io_executor& executor, AdminContext ctx)
      : strand(asio::make_strand(executor)), acceptor(strand), context(std::move(ctx)) {}

  asio::strand<asio::any_io_executor> strand;
  tcp::acceptor acceptor;
  tcp::endpoint local;
  AdminContext context;
  std::set<beast::tcp_stream*> sessions;  // open connections; touched on the strand only
  bool stopped = false;                   // on the strand only
};

namespace {

using State = AdminServer::State;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Completion of a spawned admin coroutine: errors are values inside it, so only an allocation failure can
/// arrive here, and it must not escape into io_context::run() and take the gateway down with it.
void ignore_failure(const std::exception_ptr&) noexcept {}

Response text_response(const Request& request, http::status status, std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  return response;
}

Response route_request(const State& state, const Request& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics" && path != "/healthz" && path != "/readyz") {  // /revocations: handle_revocation
    return text_response(request, http::status::not_found, "not found\n");
  }
  if (request.method() != http::verb::get && request.method() != http::verb::head) {
    Response response = text_response(request, http::status::method_not_allowed, "method not allowed\n");
    response.set(http::field::allow, "GET, HEAD");
    return response;
  }
  if (path == "/metrics") {
    if (state.context.state_store) (void)state.context.state_store();  // refreshes the store's gauge
    std::string text = state.context.metrics->render_prometheus();
    append_process_metrics(text);
    Response response = text_response(request, http::status::ok, std::move(text));
    response.set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
    return response;
  }
  if (path == "/healthz") {
    Response response = text_response(request, http::status::ok, "ok\n");
    response.set("X-Config-Generation", std::to_string(state.context.metrics->config_generation()));
    return response;
  }
  if (!state.context.ready || !state.context.ready()) {
    return text_response(request, http::status::service_unavailable, "not ready\n");
  }
  // A gateway whose shared state is unreachable answers Digest with 503: let the balancer route around it.
  if (state.context.state_store) {
    const StateStoreHealth health = state.context.state_store();
    if (!health.up) {
      return text_response(request, http::status::service_unavailable,
                           "not ready: state store " + health.detail + "\n");
    }
  }
  return text_response(request, http::status::ok, "ready\n");
}

bool is_revocation(const Request& request) {
  const std::string_view target = request.target();
  return target.substr(0, target.find('?')) == "/revocations";
}

/// The response to one parsed request; HEAD gets the GET headers (Content-Length included) and no body.
Response handle(const State& state, const Request& request) {
  Response response;
  try {
    response = route_request(state, request);
  } catch (...) {  // a throwing readiness probe or an allocation failure: answer, don't crash
    response = text_response(request, http::status::internal_server_error, "internal error\n");
  }
  response.keep_alive(request.keep_alive());
  response.prepare_payload();
  if (request.method() == http::verb::head)
    response.body().clear();  // Content-Length stays (RFC 9110 §9.3.2)
  return response;
}

Response json_response(const Request& request, http::status status, std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body) + "\n";
  return response;
}

/// A JSON string literal of `text` (printable ASCII kept, the rest escaped).
std::string json_quoted(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7F) {
      static constexpr std::string_view hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[byte >> 4];
      out += hex[byte & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// POST /revocations (admin_revoke.hpp): who may, what, then the deny call.
asio::awaitable<Response> handle_revocation(const State& state, const Request& request, bool from_loopback) {
  if (request.method() != http::verb::post) {
    Response response = text_response(request, http::status::method_not_allowed, "method not allowed\n");
    response.set(http::field::allow, "POST");
    co_return response;
  }
  const std::string token = state.context.revoke_token ? state.context.revoke_token() : std::string();
  if (!token.empty()) {
    if (!carries_admin_token(request[http::field::authorization], token)) {
      Response response = text_response(request, http::status::unauthorized, "unauthorized\n");
      response.set(http::field::www_authenticate, "Bearer realm=\"authgate admin\"");
      co_return response;
    }
  } else if (!from_loopback) {
    co_return text_response(request, http::status::forbidden,
                            "forbidden: set admin.revoke_token_file to revoke from another host\n");
  }
  // A JSON content type: a browser cannot send it cross-site without a CORS preflight this listener fails.
  const std::string_view type = request[http::field::content_type];
  if (!grammar::iequals(type.substr(0, type.find(';')), "application/json")) {
    co_return text_response(request, http::status::unsupported_media_type, "expected application/json\n");
  }
  const auto now = std::chrono::system_clock::now();
  auto parsed = parse_revoke_request(request.body(), now);
  if (!parsed)
    co_return text_response(request, http::status::bad_request, "bad request: " + parsed.error() + "\n");
  auto store = state.context.revocation_store();
  if (!store) co_return text_response(request, http::status::service_unavailable, "no state store\n");
  const auto done = co_await revoke(*store, *parsed, now);
  if (!done) {
    co_return text_response(request, http::status::service_unavailable,
                            "state store: " + std::string(stores::to_string(done.error().code)) + "\n");
  }
  const auto until =
      std::chrono::duration_cast<std::chrono::seconds>(parsed->until.time_since_epoch()).count();
  std::string body = "{\"revoked\":{";
  body += parsed->kind == RevokedKind::token_id ? "\"jti\":" : "\"user\":";
  body += json_quoted(parsed->value);
  body += "},\"until\":" + std::to_string(until) + "}";
  co_return json_response(request, http::status::ok, std::move(body));
}

/// Registers a session's stream for stop() while it lives.
class SessionEntry {
 public:
  SessionEntry(State& state, beast::tcp_stream& stream) : state_(state), stream_(stream) {
    state_.sessions.insert(&stream_);
  }
  ~SessionEntry() { state_.sessions.erase(&stream_); }
  SessionEntry(const SessionEntry&) = delete;
  SessionEntry& operator=(const SessionEntry&) = delete;

 private:
  State& state_;
  beast::tcp_stream& stream_;
};

/// Waits up to the idle timeout for the first byte of the next request (keep-alive); false when none came.
asio::awaitable<bool> await_first_byte(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                       const AdminLimits& limits) {
  if (buffer.size() > 0) co_return true;  // a pipelined request is already here
  stream.expires_after(limits.idle_timeout);
  auto [ec, n] = co_await stream.async_read_some(
      buffer.prepare(std::min<std::size_t>(1024, buffer.max_size())), use_tuple);
  buffer.commit(n);
  co_return !ec && n > 0;
}

/// The status for a request that failed to parse, or none when the connection should just close.
std::optional<http::status> parse_failure_status(const beast::error_code& ec) {
  if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
    return http::status::request_header_fields_too_large;
  }
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  const bool peer_left = ec == http::error::end_of_stream || ec == http::error::partial_message;
  if (!peer_left && ec.category() == http::make_error_code(http::error::bad_target).category()) {
    return http::status::bad_request;  // malformed request or an unexpected body
  }
  return std::nullopt;  // peer left, timeout, reset: nobody to answer
}

Response failure_response(http::status status) {
  Response response =
      text_response(Request{}, status,
                    status == http::status::bad_request         ? "bad request\n"
                    : status == http::status::payload_too_large ? "payload too large\n"
                                                                : "request header fields too large\n");
  response.keep_alive(false);
  response.prepare_payload();
  return response;
}

asio::awaitable<void> serve_connection(std::shared_ptr<State> state, beast::tcp_stream stream) {
  const SessionEntry entry(*state, stream);
  const AdminLimits& limits = state->context.limits;
  beast::error_code peer_ec;
  const auto peer = stream.socket().remote_endpoint(peer_ec);
  const bool from_loopback =
      !peer_ec && (peer.address().is_loopback() ||
                   (peer.address().is_v6() && peer.address().to_v6().is_v4_mapped() &&
                    asio::ip::make_address_v4(asio::ip::v4_mapped, peer.address().to_v6()).is_loopback()));
  beast::flat_buffer buffer(limits.max_header_bytes + max_revoke_body_bytes);
  while (!state->stopped && co_await await_first_byte(stream, buffer, limits)) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(limits.max_header_bytes));
    parser.body_limit(max_revoke_body_bytes);
    stream.expires_after(limits.read_timeout);
    auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    Response response;
    if (read_ec) {
      const auto status = parse_failure_status(read_ec);
      if (!status) break;
      response = failure_response(*status);
    } else if (!parser.get().body().empty() && !is_revocation(parser.get())) {
      response = failure_response(http::status::bad_request);  // only /revocations takes a body
    } else if (is_revocation(parser.get()) && state->context.revocation_store) {
      response = co_await handle_revocation(*state, parser.get(), from_loopback);
      response.keep_alive(parser.get().keep_alive());
      response.prepare_payload();
    } else {
      response = handle(*state, parser.get());
    }
    stream.expires_after(limits.write_timeout);
    auto [write_ec, write_n] = co_await http::async_write(stream, response, use_tuple);
    if (write_ec || !response.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_connections(std::shared_ptr<State> state) {
  asio::steady_timer backoff(state->strand);
  while (!state->stopped) {
    auto [ec, socket] = co_await state->acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || state->stopped) break;
    if (ec) {  // out of descriptors or similar: retry later instead of spinning
      backoff.expires_after(std::chrono::milliseconds(100));
      co_await backoff.async_wait(use_tuple);
      continue;
    }
    if (state->sessions.size() >= state->context.limits.max_connections) {
      beast::error_code ignored;
      socket.close(ignored);  // bounded: a flood of admin connections cannot exhaust descriptors
      continue;
    }
    asio::co_spawn(state->strand, serve_connection(state, beast::tcp_stream(std::move(socket))),
                   ignore_failure);
  }
}

}  // namespace

std::unique_ptr<AdminServer> AdminServer::open(const asio::any_io_executor& executor,
                                               const tcp::endpoint& endpoint, AdminContext context,
                                               std::error_code& error) {
  auto state = std::make_shared<State>(executor, std::move(context));
  beast::error_code ec;
  state->acceptor.open(endpoint.protocol(), ec);
  if (!ec) state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) state->acceptor.bind(endpoint, ec);
  if (!ec) state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (!ec) state->local = state->acceptor.local_endpoint(ec);
  error = ec;
  if (ec) return nullptr;
  asio::co_spawn(state->strand, accept_connections(state), ignore_failure);
  return std::unique_ptr<AdminServer>(new AdminServer(std::move(state)));
}

AdminServer::AdminServer(std::shared_ptr<State> state) : state_(std::move(state)) {}

AdminServer::~AdminServer() {
  try {
    stop();
  } catch (...) {  // posting can only fail to allocate; the sessions then end on their own timeouts
  }
}

tcp::endpoint AdminServer::local_endpoint() const { return state_->local; }

void AdminServer::stop() {
  asio::post(state_->strand, [state = state_] {
    state->stopped = true;
    beast::error_code ignored;
    state->acceptor.close(ignored);
    for (beast::tcp_stream* stream : state->sessions) stream->socket().close(ignored);
  });
}

}  // namespace authgate::gateway
