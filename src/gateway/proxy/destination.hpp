#pragma once
// Where a forward proxy's client wants to go, and whether it may (docs/forward-proxy.md): the user's rule
// (host pattern, port, method), then the name resolved once, every internal address dropped unless
// allowed, and a connection made only to the addresses that passed — the check is on the address that
// is connected to, never on the name (a name can resolve anywhere, and again differently later).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "authgate/identity.hpp"
#include "authgate/reason.hpp"
#include "config/snapshot.hpp"
#include "gateway/conn/stream.hpp"

namespace authgate::gateway {

struct Destination {
  std::string host;  // lower-case, without port; IPv6 in brackets
  std::uint16_t port = 0;
  bool tunnel = false;  // CONNECT (connect_ports apply) rather than a plain HTTP request (ports apply)
};

/// The first rule of `proxy` that names `who` (by user or group; a rule naming neither names everyone),
/// or nullptr.
const config::CompiledProxyRule* rule_for(const config::CompiledForwardProxy& proxy,
                                          const Identity& who) noexcept;

/// True when `rule` lets `method` go to `destination` (host pattern, port list of its kind, methods).
bool rule_allows(const config::CompiledProxyRule& rule, std::string_view method,
                 const Destination& destination);

/// The absolute-form target's authority ("host[:port]") as a destination for a plain HTTP request; the
/// port defaults to 80. Empty host when it does not parse.
Destination plain_destination(std::string_view authority);

struct Resolved {
  std::vector<boost::asio::ip::tcp::endpoint> endpoints;  // the addresses that may be connected to
  int status = 0;                                         // 0, or 403 / 502 / 504 to answer instead
  Reason reason = Reason::ok;
};

/// Resolves `destination` within `timeout` (getaddrinfo cannot be given one: it is cancelled) and keeps
/// the addresses that are not internal or that `allow_internal` lists. No address at all → 502
/// upstream_unreachable; the timeout → 504 upstream_timeout; every address internal → 403
/// destination_internal.
boost::asio::awaitable<Resolved> resolve_destination(boost::asio::any_io_executor executor,
                                                     const Destination& destination,
                                                     std::chrono::milliseconds timeout,
                                                     const net::AddressRanges& allow_internal);

struct Connected {
  std::optional<Stream> stream;  // set on success
  int status = 0;                // else 502 (refused, unreachable) or 504 (timeout)
  Reason reason = Reason::ok;
};

/// Connects to the first of `endpoints` that answers within `timeout` (for the whole walk).
boost::asio::awaitable<Connected> connect_destination(
    boost::asio::any_io_executor executor, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
    std::chrono::milliseconds timeout);

}  // namespace authgate::gateway
