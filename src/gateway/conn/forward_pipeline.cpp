// One request on a forward-proxy listener (docs/forward-proxy.md), the same pipeline with the side set to
// proxy: head (absolute-form, or CONNECT's authority-form) → the listener's route → the judge (407 +
// Proxy-Authenticate, Proxy-Authorization consumed) → the user's rule → the destination resolved and
// checked → a tunnel, or the request forwarded to the origin.
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "authgate/grammar/ascii.hpp"
#include "gateway/conn/session_impl.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/proxy/tunnel.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {

asio::awaitable<bool> Session::handle_proxy(Exchange& x) {
  auto& request = x.parser.get();
  const auto& limits = x.snapshot->config.limits;
  const auto* proxy = x.snapshot->forward_proxy(info_.listener);
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  if (proxy == nullptr) {
    // A reload turned this listener into a reverse proxy; listeners change kind only on restart.
    x.keep_alive = false;
    co_return co_await reply(x, 503, Reason::internal_error);
  }
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
  x.record.route = proxy->listener;
  const HeadLimits head_limits{limits.max_header_count, limits.max_uri_bytes};
  const bool tunnel = request.method() == http::verb::connect;
  if (!tunnel && !request.target().starts_with('/')) {
    // RFC 9112 §3.2.2: a proxy ignores Host for an absolute-form target and uses the target's authority
    // (check_head then writes it as the one Host). A reverse proxy instead refuses two disagreeing hosts.
    request.erase(http::field::host);
  }
  x.head = tunnel ? check_connect_head(request, x.parser.chunked(), head_limits)
                  : check_head(request, x.parser.chunked(), head_limits);
  if (x.head.status != 0) {
    x.keep_alive = false;
    co_return co_await reply(x, x.head.status, x.head.reason);
  }
  if (tunnel) {
    x.destination = plain_destination(x.head.target.authority);
    x.destination.tunnel = true;
  } else {
    // A proxy is asked in absolute-form (RFC 9112 §3.2.2); https:// goes through CONNECT, never in clear.
    const bool http_url =
        request.target().size() > 7 && grammar::iequals(request.target().substr(0, 7), "http://");
    if (x.head.target.authority.empty() || !http_url) {
      x.keep_alive = false;
      co_return co_await reply(x, 400, Reason::bad_request);
    }
    x.destination = plain_destination(x.head.target.authority);
  }
  if (x.destination.host.empty()) {
    x.keep_alive = false;
    co_return co_await reply(x, 400, Reason::bad_request);
  }
  x.record.path = tunnel ? x.head.target.authority : x.head.target.path;
  x.record.destination = x.destination.host + ":" + std::to_string(x.destination.port);
  x.route = &proxy->route;
  if (!apply_body_limit(x)) {
    x.keep_alive = false;
    co_return co_await reply(x, 413, Reason::request_too_large);
  }
  co_return co_await authorize_and_act(x);
}

asio::awaitable<bool> Session::act(Exchange& x, const config::ProxyTo& proxy_to) {
  const auto& proxy = *proxy_to.proxy;
  const Identity* who = x.judgement.verdict->identity();
  const auto* rule = who != nullptr ? rule_for(proxy, *who) : nullptr;
  if (rule == nullptr || !rule_allows(*rule, x.parser.get().method_string(), x.destination)) {
    // Nothing was sent anywhere: the destination is refused before it is even resolved.
    co_return co_await reply(x, 403, Reason::destination_not_allowed);
  }
  const auto executor = co_await asio::this_coro::executor;
  auto resolved = co_await resolve_destination(executor, x.destination, proxy.source->connect_timeout,
                                               proxy.allow_internal);
  if (resolved.status != 0) {
    if (!x.parser.is_done()) unread_input_ = true;
    co_return co_await reply(x, resolved.status, resolved.reason);
  }
  if (x.destination.tunnel) co_return co_await open_tunnel(x, proxy, resolved.endpoints);
  co_return co_await forward_plain(x, proxy, std::move(resolved.endpoints));
}

asio::awaitable<bool> Session::open_tunnel(Exchange& x, const config::CompiledForwardProxy& proxy,
                                           const std::vector<asio::ip::tcp::endpoint>& endpoints) {
  // clang-analyzer 14 does not model coroutine frames (asio#1511), as above.
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  const auto executor = co_await asio::this_coro::executor;
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
  auto connected = co_await connect_destination(executor, endpoints, proxy.source->connect_timeout);
  if (!connected.stream) co_return co_await reply(x, connected.status, connected.reason);
  // RFC 9110 §9.3.6: a 2xx turns the connection into a tunnel; it has no content and no framing fields.
  std::string head = "HTTP/1.1 200 Connection established\r\n";
  for (const auto& field : x.judgement.verdict->response_fields) {
    head.append(field.name).append(": ").append(field.value).append("\r\n");
  }
  head += "\r\n";
  x.record.status = 200;
  if (co_await write_all(stream_, asio::buffer(head), x.snapshot->config.limits.body_timeout))
    co_return false;
  if (state_.metrics != nullptr) state_.metrics->tunnel_opened();
  beast::flat_buffer from_origin;
  const auto bytes = co_await tunnel(stream_, buffer_, *connected.stream, from_origin,
                                     x.snapshot->config.limits.idle_timeout);
  x.record.bytes_in = bytes.to_upstream;
  x.record.bytes_out = bytes.to_client;
  co_return false;  // the connection was the tunnel's
}

asio::awaitable<bool> Session::forward_plain(Exchange& x, const config::CompiledForwardProxy& proxy,
                                             std::vector<asio::ip::tcp::endpoint> endpoints) {
  const auto& verdict = *x.judgement.verdict;
  // The origin is not a configured upstream: this client connection's own pool, for one destination at a
  // time, whose target connects to the addresses checked above and nowhere else (a kept connection was
  // made to an address checked when it was opened).
  config::Upstream origin;
  origin.name = x.record.destination;
  origin.url = "http://" + x.head.target.authority;
  origin.connect_timeout = proxy.source->connect_timeout;
  origin.response_timeout = proxy.source->response_timeout;
  origin.max_idle_connections = 1;
  origin.idle_timeout = x.snapshot->config.limits.idle_timeout;
  if (origin_pool_ == nullptr || origin_authority_ != x.head.target.authority) {
    // clang-analyzer 14 does not model coroutine frames (asio#1511), as above.
    // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
    origin_pool_ = std::make_unique<UpstreamPool>(co_await asio::this_coro::executor);
    // NOLINTEND(clang-analyzer-core.CallAndMessage)
    origin_authority_ = x.head.target.authority;
  }
  auto& pool = *origin_pool_;
  const auto* target = pool.pinned_target(origin, std::move(endpoints));
  if (target == nullptr) co_return co_await reply(x, 400, Reason::bad_request);
  ForwardContext context;
  context.client_address = info_.client_ip;
  context.secure = stream_.is_tls();
  context.identity_names = &x.snapshot->config.identity_headers;
  // Identity goes to origins only when configured: they are not ours to trust or to tell.
  context.identity = proxy.source->pass_identity ? verdict.identity() : nullptr;
  context.side = policy::Side::proxy;
  context.pass_authorization = true;  // Authorization is the origin's (RFC 9110 §11.6.2)
  context.target = x.head.target.path;
  if (x.head.target.has_query) context.target += "?" + x.head.target.query;
  context.default_host = x.head.target.authority;
  ClientSide client{
      stream_,        buffer_,    x.parser,    LazyScratch{scratch_, thread_}, x.snapshot->config.limits,
      *x.chunk_guard, x.response, x.keep_alive};
  client.primed = x.body_bytes;
  client.response_fields = verdict.response_fields;
  const auto result = co_await forward(client, origin, *target, context, pool);
  if (const auto keep = settle_forward(x, result)) co_return *keep;
  co_return co_await reply(x, result.status, result.reason);
}

}  // namespace authgate::gateway
