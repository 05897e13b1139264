#include "gateway/conn/listeners.hpp"

#include <openssl/asn1.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <ctime>

#include <spdlog/spdlog.h>

#include "gateway/conn/tls_context.hpp"

namespace authgate::gateway {

using tcp = asio::ip::tcp;

boost::system::result<tcp::endpoint, std::string> endpoint_of(const std::string& address,
                                                              std::uint16_t port) {
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(address == "localhost" ? "127.0.0.1" : address, ec);
  if (ec) return std::string{"not an IP address: " + address};
  return tcp::endpoint{ip, port};
}

std::string format_address(const asio::ip::address& address) {
  return address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
}

namespace {

bool open_one(ListenerSlot& slot) {
  const auto& listener = slot.config;
  auto endpoint = endpoint_of(listener.address, listener.port);
  if (!endpoint) {
    spdlog::error("listener {}: {}", listener.name, endpoint.error());
    return false;
  }
  if (listener.tls) {
    auto tls = make_server_tls(*listener.tls);
    if (!tls) {
      spdlog::error("listener {}: {}", listener.name, tls.error());
      return false;
    }
    slot.tls = *tls;
  }
  boost::system::error_code ec;
  slot.acceptor.open(endpoint->protocol(), ec);
  if (!ec) slot.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) slot.acceptor.bind(*endpoint, ec);
  if (!ec) slot.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    spdlog::error("listener {}: cannot listen on {}:{}: {}", listener.name, listener.address, listener.port,
                  ec.message());
    return false;
  }
  return true;
}

}  // namespace

bool open_listeners(asio::io_context& context, const std::vector<config::Listener>& listeners,
                    std::vector<std::unique_ptr<ListenerSlot>>& slots) {
  for (const auto& listener : listeners) {
    auto slot = std::make_unique<ListenerSlot>(context, listener);
    if (!open_one(*slot)) return false;
    slots.push_back(std::move(slot));
  }
  return true;
}

// Certificates are re-read on every reload; when one does not load, every listener keeps its context
// and the whole reload is refused, so the config and the certificates in use never disagree.
bool install_tls_contexts(std::vector<std::unique_ptr<ListenerSlot>>& slots, const config::Snapshot& next) {
  std::vector<std::shared_ptr<asio::ssl::context>> contexts;
  for (const auto& slot : slots) {
    const config::Listener* match = nullptr;
    for (const auto& listener : next.config.listeners) {
      if (listener.name == slot->config.name) match = &listener;
    }
    if (match == nullptr || !match->tls || !slot->tls) {
      contexts.push_back(slot->tls);
      continue;
    }
    auto tls = make_server_tls(*match->tls);
    if (!tls) {
      spdlog::error("reload failed: listener {}: {}", slot->config.name, tls.error());
      return false;
    }
    contexts.push_back(*tls);
  }
  for (std::size_t i = 0; i < slots.size(); ++i) slots[i]->tls = contexts[i];
  return true;
}

std::vector<std::pair<std::string, std::int64_t>> certificate_expiry(
    const std::vector<std::unique_ptr<ListenerSlot>>& slots) {
  std::vector<std::pair<std::string, std::int64_t>> expiry;
  for (const auto& slot : slots) {
    if (!slot->tls) continue;
    X509* certificate = SSL_CTX_get0_certificate(slot->tls->native_handle());
    std::tm when{};
    if (certificate == nullptr || ASN1_TIME_to_tm(X509_get0_notAfter(certificate), &when) != 1) continue;
    expiry.emplace_back(slot->config.name, static_cast<std::int64_t>(timegm(&when)));
  }
  return expiry;
}

}  // namespace authgate::gateway
