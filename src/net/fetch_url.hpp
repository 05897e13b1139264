#pragma once
// The URLs the gateway itself fetches (JWKS, OpenID Connect discovery, token introspection): checked and
// split once, before any connection is made.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::net {

struct FetchUrl {
  bool https = false;
  std::string host;  // lower-case DNS name or IP literal; IPv6 without brackets
  bool host_is_ip = false;
  std::uint16_t port = 0;  // explicit, else 80 / 443
  std::string target;      // origin-form: path (at least "/") and "?query" when present
  std::string authority;   // for the Host field: host[:port], IPv6 in brackets, port only when not default
};

/// Parses an absolute `https://` URL, or an `http://` URL whose host is a loopback address or
/// "localhost" (plain HTTP elsewhere would let anyone on the path swap the keys or forge an
/// introspection answer). Refused: other schemes, userinfo (credentials do not belong in a URL that
/// ends up in logs), a fragment, an empty host, port 0, control characters. Error: one sentence.
boost::system::result<FetchUrl, std::string> parse_fetch_url(std::string_view url);

/// True for 127.0.0.0/8, ::1 and ::ffff:127.0.0.0/104 literals, and "localhost".
bool is_loopback_host(std::string_view host) noexcept;

}  // namespace authgate::net
