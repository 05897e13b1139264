// Checks of the `state` section: the shared StateStore's Redis url, timeout, key prefix, password file and
// TLS files. Nothing here connects: `authgate check` validates a Redis config without reaching the server.
#include <filesystem>

#include "config/checker.hpp"
#include "config/secret_file.hpp"
#include "config/syntax.hpp"
#include "net/redis_url.hpp"

namespace authgate::config::detail {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// A key prefix is sent with every command: short, printable, no hash-tag braces.
constexpr std::size_t max_key_prefix_bytes = 64;

void check_password_file(Checker& check, const std::string& path) {
  if (path.empty()) return;
  std::error_code ec;
  if (auto problem = unreadable_file_problem(path)) {
    check.error("state.redis.password_file", *problem);
  } else if (const auto size = std::filesystem::file_size(path, ec); ec || size > max_secret_bytes) {
    check.error("state.redis.password_file", "the password file holds more than 4 KiB");
  } else if (read_secret_file(path).empty()) {
    check.error("state.redis.password_file", "the password file is empty (leave password_file out instead)");
  }
}

void check_tls_file(Checker& check, const std::string& path, const std::string& key) {
  if (path.empty()) return;
  if (auto problem = unreadable_file_problem(path)) check.error("state.redis.tls." + key, *problem);
}

void check_tls(Checker& check, const RedisState::Tls& tls, const net::RedisEndpoint* endpoint) {
  if (endpoint != nullptr && !endpoint->unix_path.empty()) {
    check.error("state.redis.tls", "TLS needs a TCP url (redis:// or rediss://), not a unix socket");
  }
  check_tls_file(check, tls.ca_file, "ca_file");
  check_tls_file(check, tls.cert_file, "cert_file");
  check_tls_file(check, tls.key_file, "key_file");
  // Mutual TLS presents a certificate with its key: one without the other is a mistake, not a choice.
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    const bool has_cert = !tls.cert_file.empty();
    check.error(has_cert ? "state.redis.tls.cert_file" : "state.redis.tls.key_file",
                has_cert ? "needs key_file too (mutual TLS)" : "needs cert_file too (mutual TLS)");
  }
  if (!tls.server_name.empty() && !is_dns_name(tls.server_name) && !is_ip_literal(tls.server_name)) {
    check.error("state.redis.tls.server_name",
                "expected a DNS name or an IP address, got " + in_quotes(tls.server_name));
  }
}

}  // namespace

void check_state(Checker& check) {
  const auto& redis = check.config().state.redis;
  if (!redis) return;
  // The store's own parser, so check refuses exactly what serve would; its message never quotes a password.
  const auto endpoint = net::parse_redis_url(redis->url);
  if (!endpoint) check.error("state.redis.url", endpoint.error());
  if (redis->tls) check_tls(check, *redis->tls, endpoint ? &*endpoint : nullptr);
  // Below 10 ms a loopback round trip under load already times out; above 10 s a dead Redis holds every
  // request (and its connection) that long.
  if (redis->timeout < milliseconds(10) || redis->timeout > seconds(10)) {
    check.error("state.redis.timeout", "expected 10ms to 10s");
  }
  const std::string& prefix = redis->key_prefix;
  if (prefix.find_first_of("{}") != std::string::npos) {
    check.error("state.redis.key_prefix",
                "may not contain { or }: the hash tag is the gateway's (Redis Cluster)");
  } else if (prefix.size() > max_key_prefix_bytes ||
             std::any_of(prefix.begin(), prefix.end(), [](char c) { return c <= ' ' || c == '\x7f'; })) {
    check.error("state.redis.key_prefix", "expected at most 64 printable characters without spaces");
  }
  check_password_file(check, redis->password_file);
}

}  // namespace authgate::config::detail
