// Checks of the network-facing sections: server, listeners, admin, upstreams, limits, headers, log.
#include <array>
#include <filesystem>
#include <map>

#include "config/checker.hpp"
#include "config/secret_file.hpp"
#include "config/syntax.hpp"
#include "config/upstream_url.hpp"
#include "net/destination_policy.hpp"

namespace authgate::config::detail {
namespace {

bool is_listen_address(const std::string& address) {
  return address == "localhost" || is_ip_literal(address);
}

void check_server_tls(Checker& check, const ServerTls& tls, const std::string& path) {
  if (auto problem = unreadable_file_problem(tls.cert_file)) check.error(path + ".cert", *problem);
  if (auto problem = unreadable_file_problem(tls.key_file)) check.error(path + ".key", *problem);
  if (tls.min_version != "1.2" && tls.min_version != "1.3") {
    check.error(path + ".min_version", "expected \"1.2\" or \"1.3\", got " + in_quotes(tls.min_version));
  }
}

// Ports are unique across listeners and the admin listener: two sockets cannot bind the same port on
// overlapping addresses, and telling overlap apart (0.0.0.0 vs 127.0.0.1) is not worth the surprise.
void check_unique_ports(Checker& check) {
  std::map<std::uint16_t, std::string> owners;
  const auto claim = [&](std::uint16_t port, const std::string& path) {
    const auto [it, fresh] = owners.emplace(port, path);
    if (!fresh)
      check.error(path + ".port", "port " + std::to_string(port) + " is already used by " + it->second);
  };
  const auto& listeners = check.config().listeners;
  for (std::size_t i = 0; i < listeners.size(); ++i)
    claim(listeners[i].port, "listeners[" + std::to_string(i) + "]");
  if (check.config().admin) claim(check.config().admin->port, "admin");
}

// The gateway strips these from client requests and sets them itself; reusing a field the proxy or
// HTTP framing depends on would corrupt requests or let a client smuggle an identity.
void check_identity_headers(Checker& check) {
  static constexpr std::array<std::string_view, 12> reserved{"authorization",
                                                             "proxy-authorization",
                                                             "host",
                                                             "connection",
                                                             "content-length",
                                                             "transfer-encoding",
                                                             "upgrade",
                                                             "te",
                                                             "trailer",
                                                             "keep-alive",
                                                             "proxy-connection",
                                                             "cookie"};
  const IdentityHeaders& names = check.config().identity_headers;
  const std::array<std::pair<std::string, std::string>, 3> headers{
      {{"user", names.user}, {"groups", names.groups}, {"scheme", names.scheme}}};
  std::map<std::string, std::string> seen;
  for (const auto& [key, name] : headers) {
    const std::string path = "identity_headers." + key;
    const std::string lower = to_lower(name);
    if (!is_token(name)) {
      check.error(path, "expected a header field name (RFC 9110 §5.1 token), got " + in_quotes(name));
    } else if (std::find(reserved.begin(), reserved.end(), lower) != reserved.end()) {
      check.error(path, in_quotes(name) + " is a field HTTP itself uses; choose another name");
    } else if (const auto [it, fresh] = seen.emplace(lower, key); !fresh) {
      check.error(path, "same header as identity_headers." + it->second);
    }
  }
}

}  // namespace

void check_server(Checker& check) {
  const Server& server = check.config().server;
  if (server.unmatched != "404" && server.unmatched != "403") {
    check.error("server.unmatched", "expected 404 or 403, got " + in_quotes(server.unmatched));
  }
}

void check_listeners(Checker& check) {
  const Config& config = check.config();
  if (config.listeners.empty()) check.error("listeners", "at least one listener is required");
  const bool basic = uses_basic(config);
  std::map<std::string, std::size_t> names;
  for (std::size_t i = 0; i < config.listeners.size(); ++i) {
    const Listener& listener = config.listeners[i];
    const std::string path = "listeners[" + std::to_string(i) + "]";
    if (!is_name(listener.name)) check.error(path + ".name", "invalid name " + in_quotes(listener.name));
    if (!names.emplace(listener.name, i).second)
      check.error(path + ".name", "duplicate listener name " + in_quotes(listener.name));
    if (!is_listen_address(listener.address)) {
      check.error(path + ".address",
                  "expected an IP address or 'localhost', got " + in_quotes(listener.address));
    }
    if (listener.port == 0) check.error(path + ".port", "expected a port from 1 to 65535");
    if (listener.tls) check_server_tls(check, *listener.tls, path + ".tls");
    if (listener.forward_proxy) check_forward_proxy(check, *listener.forward_proxy, path + ".forward_proxy");
    if (listener.forward_auth) check_forward_auth(check, *listener.forward_auth, path + ".forward_auth");
    if (auto ranges = net::AddressRanges::parse(listener.trusted_proxies); !ranges) {
      check.error(path + ".trusted_proxies", ranges.error());
    } else if (listener.forward_auth && !listener.trusted_proxies.empty()) {
      check.error(path + ".trusted_proxies",
                  "a forward_auth listener names its front proxies in forward_auth.trusted_sources");
    }
    if (listener.forward_proxy && listener.forward_auth) {
      check.error(path + ".forward_auth",
                  "a listener is a forward proxy or a forward-auth endpoint, not both: use two listeners");
    }
    // RFC 7617 §4: Basic sends the password in clear; only TLS or loopback keeps it off the network. A
    // forward proxy's own realms count for its listener (curl --proxy-basic sends them in clear too).
    const bool listener_basic =
        listener.forward_proxy
            ? std::any_of(listener.forward_proxy->realms.begin(), listener.forward_proxy->realms.end(),
                          [&](const std::string& name) {
                            const Realm* realm = find_named(config.realms, name);
                            return realm != nullptr && realm->scheme == "basic";
                          })
            : basic;
    if (listener_basic && !listener.tls && is_listen_address(listener.address) &&
        !is_loopback_address(listener.address)) {
      check.warning(
          path,
          "Basic authentication over plain HTTP on " + listener.address +
              ": passwords cross the network in clear text (RFC 7617 §4); add tls or listen on 127.0.0.1");
    }
  }
  check_unique_ports(check);
}

void check_admin(Checker& check) {
  if (!check.config().admin) return;
  const Admin& admin = *check.config().admin;
  if (!is_listen_address(admin.address)) {
    check.error("admin.address", "expected an IP address or 'localhost', got " + in_quotes(admin.address));
  } else if (!is_loopback_address(admin.address)) {
    check.warning("admin.address",
                  "/metrics and /healthz are reachable from the network on " + admin.address);
  }
  if (admin.port == 0) check.error("admin.port", "expected a port from 1 to 65535");
  if (!admin.revoke_token_file.empty()) {
    // A token anyone could guess would hand out the deny-list (locking every user out).
    if (auto problem = secret_file_problem(admin.revoke_token_file, 16)) {
      check.error("admin.revoke_token_file", *problem + " (e.g. openssl rand -hex 32)");
    } else if (holds_control_character(admin.revoke_token_file)) {
      // The token travels in an Authorization field: one with a control character could never be sent.
      check.error(
          "admin.revoke_token_file",
          "the token holds a control character; it must fit in a header field (e.g. openssl rand -hex 32)");
    }
  }
}

void check_upstreams(Checker& check) {
  std::map<std::string, int> names;
  for (const Upstream& upstream : check.config().upstreams) {
    const std::string path = "upstreams." + upstream.name;
    if (!is_name(upstream.name)) check.error(path, "invalid name " + in_quotes(upstream.name));
    if (!names.emplace(upstream.name, 0).second)
      check.error(path, "duplicate upstream name " + in_quotes(upstream.name));
    const auto url = parse_upstream_url(upstream.url);
    if (!url) {
      check.error(path + ".url", url.error() + ", got " + in_quotes(upstream.url));
      continue;
    }
    const UpstreamTls& tls = upstream.tls;
    if (!url->https) {
      if (!tls.verify || !tls.ca_file.empty() || !tls.server_name.empty()) {
        check.warning(path + ".tls", "tls settings have no effect on an http:// upstream");
      }
      continue;
    }
    if (!tls.ca_file.empty()) {
      if (auto problem = unreadable_file_problem(tls.ca_file)) check.error(path + ".tls.ca", *problem);
    }
    if (!tls.server_name.empty() && !is_dns_name(tls.server_name)) {
      check.error(path + ".tls.server_name", "expected a DNS name, got " + in_quotes(tls.server_name));
    }
    if (!tls.verify) {
      check.warning(path + ".tls.verify",
                    "certificate verification is off: anyone on the path can impersonate the upstream");
    }
  }
}

void check_misc(Checker& check) {
  const Config& config = check.config();
  if (config.limits.max_uri_bytes > config.limits.max_header_bytes) {
    check.error("limits.max_uri_bytes",
                "must not exceed limits.max_header_bytes (the URI is part of the head)");
  }
  check_identity_headers(check);
  const std::string& log = config.access_log.path;
  if (config.access_log.enabled && log != "-") {
    const auto dir = std::filesystem::path(log).parent_path();
    std::error_code ec;
    if (log.empty()) {
      check.error("access_log.path", "expected a file path or \"-\" for stdout");
    } else if (!dir.empty() && !std::filesystem::is_directory(dir, ec)) {
      check.error("access_log.path", "directory " + in_quotes(dir.string()) + " does not exist");
    }
  }
}

}  // namespace authgate::config::detail
