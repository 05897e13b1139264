#pragma once
// An upstream's URL, checked and split into what the gateway needs to connect and to build the
// forwarded request-target.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::config {

struct UpstreamUrl {
  bool https = false;
  std::string host;  // lower-case DNS name or IP literal; IPv6 without brackets
  bool host_is_ipv6 = false;
  std::uint16_t port = 0;  // explicit, else 80 / 443
  /// Prefix for forwarded request-targets: "" or "/base" (never a trailing '/', never "/" alone), so the
  /// forwarded target is `base_path + request-target`.
  std::string base_path;
  /// host[:port] as it goes into a Host header (IPv6 in brackets; the port only when not the default).
  std::string authority() const;
};

/// Parses `http://host[:port][/base]` or `https://…` (RFC 3986 via Boost.URL). Refused: other schemes,
/// userinfo (credentials do not belong in a config URL), query, fragment, an empty host, port 0, an
/// IPvFuture host. Error: one sentence.
boost::system::result<UpstreamUrl, std::string> parse_upstream_url(std::string_view url);

}  // namespace authgate::config
