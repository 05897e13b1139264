#pragma once
// Where the Redis StateStore connects: the url of its options, parsed once at start-up.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::net {

struct RedisEndpoint {
  std::string host{};  // empty for a unix socket
  std::uint16_t port = 6379;
  std::string unix_path{};  // set for a unix socket
  unsigned db = 0;          // SELECT after connecting when not 0
  std::string user{};       // AUTH user password (Redis 6 ACLs) when set
  std::string password{};   // AUTH password when set
};

/// Parses `redis://[[user]:password@]host[:port][/db]`, `unix:/path/to.sock[?db=N]` or a bare absolute
/// path (a unix socket). User and password are percent-decoded. The error names the part that is wrong
/// and never quotes the password. `rediss://` (TLS) is not supported yet and is an error.
boost::system::result<RedisEndpoint, std::string> parse_redis_url(std::string_view url);

}  // namespace authgate::net
