// Checks of the `state` section: the shared StateStore's Redis url, timeout, key prefix and password file.
// Nothing here connects: `authgate check` validates a Redis config without reaching the server.
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

}  // namespace

void check_state(Checker& check) {
  const auto& redis = check.config().state.redis;
  if (!redis) return;
  // The store's own parser, so check refuses exactly what serve would; its message never quotes a password.
  if (auto endpoint = net::parse_redis_url(redis->url); !endpoint) {
    check.error("state.redis.url", endpoint.error());
  }
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
