#pragma once
// Where the Redis StateStore connects: the url of its options, parsed once at start-up.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::net {

/// TLS to Redis (`rediss://`, or `state.redis.tls`). There is no way to turn verification off: the
/// server's certificate chain is always checked against the trust anchors, and its name (RFC 6125) against
/// `server_name`. Only TCP: TLS over a unix socket is refused when the link is made.
struct RedisTls {
  bool enabled = false;
  std::string ca_file{};      // PEM bundle to trust; empty: the system's default trust store
  std::string cert_file{};    // client certificate chain (PEM, leaf first) for mutual TLS; with key_file
  std::string key_file{};     // its private key (PEM, unencrypted); with cert_file, or neither
  std::string server_name{};  // SNI (when a DNS name) and the name the certificate must hold; empty: the
                              // url's host
};

struct RedisEndpoint {
  std::string host{};  // empty for a unix socket
  std::uint16_t port = 6379;
  std::string unix_path{};  // set for a unix socket
  unsigned db = 0;          // SELECT after connecting when not 0
  std::string user{};       // AUTH user password (Redis 6 ACLs) when set
  std::string password{};   // AUTH password when set
  RedisTls tls{};           // enabled by `rediss://`
};

/// Parses `redis://[[user]:password@]host[:port][/db]`, `rediss://…` (the same, over TLS: sets
/// `tls.enabled`, the port still defaults to 6379), `unix:/path/to.sock[?db=N]` or a bare absolute path
/// (a unix socket). User and password are percent-decoded. The error names the part that is wrong and
/// never quotes the password.
boost::system::result<RedisEndpoint, std::string> parse_redis_url(std::string_view url);

}  // namespace authgate::net
