#include "gateway/proxy/upstream_pool.hpp"

#include "gateway/proxy/resolve.hpp"

#include <openssl/ssl.h>

#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "net/idle_socket.hpp"

namespace authgate::gateway {
namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool is_ip_literal(std::string_view host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

// Client context for one https upstream: TLS 1.2+, the system trust store or the configured CA file,
// and peer verification unless the config explicitly turned it off.
std::shared_ptr<asio::ssl::context> make_client_tls(const config::Upstream& upstream) {
  auto context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  if (upstream.tls.ca_file.empty()) {
    context->set_default_verify_paths();
  } else {
    context->load_verify_file(upstream.tls.ca_file);
  }
  context->set_verify_mode(upstream.tls.verify ? asio::ssl::verify_peer : asio::ssl::verify_none);
  return context;
}

Reason connect_error(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ? Reason::upstream_timeout : Reason::upstream_unreachable;
}

}  // namespace

const UpstreamTarget* UpstreamPool::target(const config::Upstream& upstream) { return find_or_add(upstream); }

UpstreamTarget* UpstreamPool::find_or_add(const config::Upstream& upstream) {
  const KeyView key{upstream.url, upstream.tls.verify, upstream.tls.ca_file, upstream.tls.server_name};
  if (auto it = targets_.find(key); it != targets_.end()) return &it->second;
  auto url = config::parse_upstream_url(upstream.url);
  if (!url) {
    spdlog::error("upstream {}: {}", upstream.name, url.error());
    return nullptr;
  }
  UpstreamTarget target{*url, url->authority(), {}, nullptr, idle_.size(), {}};
  if (url->https) {
    target.sni = upstream.tls.server_name.empty() ? url->host : upstream.tls.server_name;
    try {
      target.tls = make_client_tls(upstream);
    } catch (const boost::system::system_error& e) {
      spdlog::error("upstream {}: TLS setup failed: {}", upstream.name, e.what());
      return nullptr;
    }
  }
  idle_.emplace_back();
  Key owned{upstream.url, upstream.tls.verify, upstream.tls.ca_file, upstream.tls.server_name};
  return &targets_.emplace(std::move(owned), std::move(target)).first->second;
}

const UpstreamTarget* UpstreamPool::pinned_target(const config::Upstream& upstream,
                                                  std::vector<asio::ip::tcp::endpoint> endpoints) {
  auto* found = find_or_add(upstream);
  if (found == nullptr) return nullptr;
  auto& pinned = *found;
  if (pinned.pinned != endpoints) {
    // A kept connection goes to an address checked for an earlier request; when the check now admits
    // other addresses (a reload, a changed name), it goes too: only addresses checked for this request.
    for (auto& connection : idle_[pinned.idle_list].connections) connection->stream.close();
    idle_[pinned.idle_list].connections.clear();
    pinned.pinned = std::move(endpoints);
  }
  return &pinned;
}

std::unique_ptr<UpstreamConnection> UpstreamPool::take_idle(Idle& idle) {
  const auto now = std::chrono::steady_clock::now();
  while (!idle.connections.empty()) {
    auto connection = std::move(idle.connections.back());
    idle.connections.pop_back();
    if (now - connection->idle_since < idle.idle_timeout && connection->buffer.size() == 0 &&
        !net::idle_socket_is_dead(connection->stream.socket())) {
      return connection;
    }
    connection->stream.close();
  }
  return nullptr;
}

Lease UpstreamPool::reuse_idle(const UpstreamTarget& target, Reuse reuse) {
  if (reuse == Reuse::never) return Lease{};
  auto idle = take_idle(idle_[target.idle_list]);
  const bool reused = idle != nullptr;
  return Lease{std::move(idle), reused, Reason::ok};
}

asio::awaitable<Lease> UpstreamPool::connect(const config::Upstream& upstream, const UpstreamTarget& target) {
  const auto deadline = std::chrono::steady_clock::now() + upstream.connect_timeout;
  // tcp_stream's connect closes the socket at the deadline, which also ends a walk over several
  // addresses; the connection then keeps the bare socket and a lazy deadline (see stream.hpp).
  beast::tcp_stream tcp{executor_};
  boost::system::error_code connect_ec;
  if (!target.pinned.empty()) {
    tcp.expires_at(deadline);
    auto [ec, endpoint] = co_await tcp.async_connect(target.pinned, use_tuple);
    connect_ec = ec;
  } else {
    auto [resolve_ec, endpoints] =
        co_await resolve_within(executor_, target.url.host, target.url.port, deadline);
    if (resolve_ec) {
      co_return Lease{nullptr, false,
                      resolve_ec == asio::error::operation_aborted ? Reason::upstream_timeout
                                                                   : Reason::upstream_unreachable};
    }
    tcp.expires_at(deadline);
    auto [ec, endpoint] = co_await tcp.async_connect(endpoints, use_tuple);
    connect_ec = ec;
  }
  if (connect_ec) co_return Lease{nullptr, false, connect_error(connect_ec)};
  tcp.expires_never();
  boost::system::error_code ignored;
  tcp.socket().set_option(asio::ip::tcp::no_delay{true}, ignored);
  if (!target.tls) {
    co_return Lease{std::make_unique<UpstreamConnection>(Stream{tcp.release_socket()}, target.idle_list)};
  }

  auto connection =
      std::make_unique<UpstreamConnection>(Stream{tcp.release_socket(), *target.tls}, target.idle_list);
  connection->stream.expires_at(deadline);
  auto& tls = *connection->stream.tls();
  // SNI carries DNS names only (RFC 6066 §3); the verified name is the SNI name or the IP literal.
  if (!is_ip_literal(target.sni)) SSL_set_tlsext_host_name(tls.native_handle(), target.sni.c_str());
  if (upstream.tls.verify) tls.set_verify_callback(asio::ssl::host_name_verification(target.sni));
  auto [raw_handshake_ec] = co_await tls.async_handshake(asio::ssl::stream_base::client, use_tuple);
  const auto handshake_ec = connection->stream.timed(raw_handshake_ec);
  if (handshake_ec) {
    if (handshake_ec != beast::error::timeout) {
      spdlog::warn("upstream {}: TLS handshake failed: {}", upstream.name, handshake_ec.message());
    }
    co_return Lease{
        nullptr, false,
        handshake_ec == beast::error::timeout ? Reason::upstream_timeout : Reason::upstream_error};
  }
  connection->stream.expires_never();
  co_return Lease{std::move(connection), false, Reason::ok};
}

void UpstreamPool::release(std::unique_ptr<UpstreamConnection> connection, const config::Upstream& upstream) {
  auto& idle = idle_[connection->idle_list];
  idle.idle_timeout = upstream.idle_timeout;
  if (idle.connections.size() >= upstream.max_idle_connections || connection->buffer.size() != 0) {
    connection->stream.close();
    return;
  }
  connection->stream.expires_never();
  connection->idle_since = std::chrono::steady_clock::now();
  idle.connections.push_back(std::move(connection));
}

void UpstreamPool::sweep() {
  const auto now = std::chrono::steady_clock::now();
  for (auto& idle : idle_) {
    auto& connections = idle.connections;
    while (!connections.empty() && now - connections.front()->idle_since >= idle.idle_timeout) {
      connections.front()->stream.close();
      connections.pop_front();
    }
  }
}

void UpstreamPool::clear() {
  for (auto& idle : idle_) {
    for (auto& connection : idle.connections) connection->stream.close();
    idle.connections.clear();
  }
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& idle : idle_) n += idle.connections.size();
  return n;
}

}  // namespace authgate::gateway
