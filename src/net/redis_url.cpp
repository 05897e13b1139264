// Parsing the Redis StateStore's url (redis://, rediss://, unix:, or a socket path).
#include "net/redis_url.hpp"

#include <boost/url/parse.hpp>

#include <sys/un.h>

#include <charconv>

namespace authgate::net {
namespace {

using Result = boost::system::result<RedisEndpoint, std::string>;

Result bad(std::string why) { return {boost::system::in_place_error, std::move(why)}; }

bool parse_number(std::string_view text, unsigned max, unsigned& out) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end || value > max) return false;
  out = value;
  return true;
}

/// sockaddr_un holds 108 bytes, the terminating NUL included.
Result checked_path(RedisEndpoint endpoint) {
  if (endpoint.unix_path.size() >= sizeof(sockaddr_un::sun_path)) {
    return bad("redis url: the unix socket path is too long");
  }
  return endpoint;
}

Result parse_unix(const boost::urls::url_view& url) {
  RedisEndpoint endpoint;
  endpoint.unix_path = url.path();
  if (endpoint.unix_path.empty() || endpoint.unix_path.front() != '/') {
    return bad("redis url: a unix socket needs an absolute path");
  }
  for (const auto& param : url.params()) {
    if (param.key != "db" || !parse_number(param.value, 1'000'000, endpoint.db)) {
      return bad("redis url: a unix socket url takes only ?db=<number>");
    }
  }
  return checked_path(std::move(endpoint));
}

Result parse_tcp(const boost::urls::url_view& url) {
  RedisEndpoint endpoint;
  endpoint.host = url.host_address();
  if (endpoint.host.empty()) return bad("redis url: no host");
  if (url.has_port()) {
    unsigned port = 0;
    if (!parse_number(url.port(), 65535, port) || port == 0) return bad("redis url: bad port");
    endpoint.port = static_cast<std::uint16_t>(port);
  }
  if (url.has_userinfo()) {
    endpoint.user = url.user();
    endpoint.password = url.password();
  }
  std::string_view path = url.encoded_path();
  if (!path.empty() && path != "/") {
    if (!parse_number(path.substr(1), 1'000'000, endpoint.db)) {
      return bad("redis url: the path is the database number, e.g. /0");
    }
  }
  if (url.has_query() || url.has_fragment()) return bad("redis url: no query or fragment allowed");
  return endpoint;
}

}  // namespace

boost::system::result<RedisEndpoint, std::string> parse_redis_url(std::string_view text) {
  if (!text.empty() && text.front() == '/') {
    RedisEndpoint endpoint;
    endpoint.unix_path = text;
    return checked_path(std::move(endpoint));
  }
  auto url = boost::urls::parse_uri(text);
  if (!url) return bad("redis url: not a url");
  if (url->scheme() == "redis") return parse_tcp(*url);
  if (url->scheme() == "unix") return parse_unix(*url);
  if (url->scheme() == "rediss") {
    auto endpoint = parse_tcp(*url);
    if (endpoint) endpoint->tls.enabled = true;
    return endpoint;
  }
  return bad("redis url: the scheme must be redis://, rediss:// or unix:");
}

}  // namespace authgate::net
