// The scheme, port and authority rules shared by fetch and upstream URLs (see net/http_url.hpp).
#include "net/http_url.hpp"

namespace authgate::net {
namespace {

std::uint16_t default_port(HttpScheme scheme) noexcept { return scheme == HttpScheme::https ? 443 : 80; }

}  // namespace

std::optional<HttpScheme> http_scheme(const boost::urls::url_view& url) noexcept {
  // scheme_id() compares case-insensitively.
  switch (url.scheme_id()) {
    case boost::urls::scheme::http:
      return HttpScheme::http;
    case boost::urls::scheme::https:
      return HttpScheme::https;
    default:
      return std::nullopt;
  }
}

std::optional<std::uint16_t> http_port(const boost::urls::url_view& url, HttpScheme scheme) noexcept {
  if (!url.has_port()) return default_port(scheme);
  // port_number() is 0 for an empty port and for one that does not fit 16 bits.
  if (url.port_number() == 0) return std::nullopt;
  return url.port_number();
}

std::string http_authority(std::string_view host, bool host_is_ipv6, std::uint16_t port, HttpScheme scheme) {
  std::string out = host_is_ipv6 ? "[" + std::string(host) + "]" : std::string(host);
  if (port != default_port(scheme)) out += ":" + std::to_string(port);
  return out;
}

}  // namespace authgate::net
