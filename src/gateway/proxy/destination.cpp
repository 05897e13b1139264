// The forward proxy's destination checks and connection (see destination.hpp).
#include "gateway/proxy/destination.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "authgate/grammar/ascii.hpp"
#include "gateway/proxy/resolve.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool names(const config::CompiledProxyRule& rule, const Identity& who) {
  if (rule.users.empty() && rule.groups.empty()) return true;
  if (contains(rule.users, who.user)) return true;
  return std::any_of(who.groups.begin(), who.groups.end(),
                     [&](const std::string& group) { return contains(rule.groups, group); });
}

/// "[::1]" → "::1" for the resolver; other hosts as they are.
std::string resolvable(std::string_view host) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
    return std::string(host.substr(1, host.size() - 2));
  return std::string(host);
}

}  // namespace

const config::CompiledProxyRule* rule_for(const config::CompiledForwardProxy& proxy,
                                          const Identity& who) noexcept {
  for (const auto& rule : proxy.rules) {
    if (names(rule, who)) return &rule;
  }
  return nullptr;
}

bool rule_allows(const config::CompiledProxyRule& rule, std::string_view method,
                 const Destination& destination) {
  if (!rule.methods.empty() && !contains(rule.methods, method)) return false;
  if (!rule.hosts.matches(destination.host)) return false;
  return (destination.tunnel ? rule.connect_ports : rule.ports).contains(destination.port);
}

Destination plain_destination(std::string_view authority) {
  // An authority with a port is a CONNECT-style host:port; without one, http's port 80 (RFC 9110 §4.2.1).
  const bool bracketed = authority.starts_with('[');
  const auto colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos && (!bracketed || colon > authority.find(']'));
  auto parsed =
      net::parse_connect_authority(has_port ? std::string(authority) : std::string(authority) + ":80");
  if (!parsed) return {};
  return Destination{parsed->host, parsed->port, false};
}

asio::awaitable<Resolved> resolve_destination(asio::any_io_executor executor, const Destination& destination,
                                              std::chrono::milliseconds timeout,
                                              const net::AddressRanges& allow_internal) {
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  auto [ec, results] = co_await resolve_within(executor, resolvable(destination.host), destination.port,
                                               std::chrono::steady_clock::now() + timeout);
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
  Resolved resolved;
  if (ec) {
    const bool late = ec == asio::error::operation_aborted;
    resolved.status = late ? 504 : 502;
    resolved.reason = late ? Reason::upstream_timeout : Reason::upstream_unreachable;
    co_return resolved;
  }
  for (const auto& entry : results) {
    const auto address = entry.endpoint().address();
    if (!net::is_internal_address(address) || allow_internal.contains(address)) {
      resolved.endpoints.push_back(entry.endpoint());
    }
  }
  if (resolved.endpoints.empty()) {
    // Why every address is checked, not the name: a public name may resolve to 127.0.0.1 or 10.0.0.5.
    resolved.status = results.empty() ? 502 : 403;
    resolved.reason = results.empty() ? Reason::upstream_unreachable : Reason::destination_internal;
  }
  co_return resolved;
}

asio::awaitable<Connected> connect_destination(asio::any_io_executor executor,
                                               const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                               std::chrono::milliseconds timeout) {
  beast::tcp_stream tcp{executor};
  tcp.expires_after(timeout);
  auto [ec, endpoint] = co_await tcp.async_connect(endpoints, use_tuple);
  Connected connected;
  if (ec) {
    connected.status = ec == beast::error::timeout ? 504 : 502;
    connected.reason = ec == beast::error::timeout ? Reason::upstream_timeout : Reason::upstream_unreachable;
    co_return connected;
  }
  tcp.expires_never();
  boost::system::error_code ignored;
  tcp.socket().set_option(asio::ip::tcp::no_delay{true}, ignored);
  connected.stream.emplace(tcp.release_socket());
  co_return connected;
}

}  // namespace authgate::gateway
