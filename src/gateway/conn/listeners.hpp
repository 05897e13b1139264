#pragma once
// The gateway's listening sockets: bound once at start (a reload cannot move them), each with the TLS
// context that a reload may replace.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/result.hpp>

#include "config/snapshot.hpp"

namespace authgate::gateway {

namespace asio = boost::asio;

struct ListenerSlot {
  ListenerSlot(asio::io_context& context, config::Listener c)
      : config(std::move(c)), acceptor(context), room(context) {}
  config::Listener config;
  asio::ip::tcp::acceptor acceptor;
  asio::steady_timer room;  // the accept loop waits on it at max_connections; a freed slot cancels it
  std::shared_ptr<asio::ssl::context> tls;  // null for plain TCP; replaced on reload (control thread only)
};

/// Binds and listens on every listener of `listeners` (with its TLS context). On the first failure
/// logs `listener NAME: reason` and returns false.
bool open_listeners(asio::io_context& context, const std::vector<config::Listener>& listeners,
                    std::vector<std::unique_ptr<ListenerSlot>>& slots);

/// Re-reads the certificates of every TLS listener from `next` (same name). All or nothing: when one
/// does not load, logs why, changes nothing and returns false (the reload is refused).
bool install_tls_contexts(std::vector<std::unique_ptr<ListenerSlot>>& slots, const config::Snapshot& next);

/// Each TLS listener's name and its certificate's notAfter time in unix seconds (for metrics).
std::vector<std::pair<std::string, std::int64_t>> certificate_expiry(
    const std::vector<std::unique_ptr<ListenerSlot>>& slots);

/// The endpoint for an IP literal or "localhost"; error: one sentence.
boost::system::result<asio::ip::tcp::endpoint, std::string> endpoint_of(const std::string& address,
                                                                        std::uint16_t port);

/// "127.0.0.1" or "[::1]".
std::string format_address(const asio::ip::address& address);

}  // namespace authgate::gateway
