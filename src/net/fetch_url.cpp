// URL checks for the gateway's own HTTP requests (RFC 3986 via Boost.URL).
#include "net/fetch_url.hpp"

#include <algorithm>

#include <boost/asio/ip/address.hpp>
#include <boost/url/parse.hpp>

#include "authgate/grammar/ascii.hpp"
#include "net/http_url.hpp"

namespace authgate::net {
namespace {

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return c < 0x21 || c == 0x7f; });
}

}  // namespace

bool is_loopback_host(std::string_view host) noexcept {
  if (grammar::iequals(host, "localhost")) return true;
  boost::system::error_code ec;
  const auto address = boost::asio::ip::make_address(std::string(host), ec);
  if (ec) return false;
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6()).is_loopback();
  }
  return address.is_loopback();
}

boost::system::result<FetchUrl, std::string> parse_fetch_url(std::string_view text) {
  if (has_control(text)) return std::string("the URL contains spaces or control characters");
  auto parsed = boost::urls::parse_absolute_uri(text);
  if (!parsed) return std::string("not an absolute URL");
  const auto& url = *parsed;
  FetchUrl out;
  const std::optional<HttpScheme> scheme = http_scheme(url);
  if (!scheme) return std::string("the URL must be https:// (or http:// to loopback)");
  out.https = *scheme == HttpScheme::https;
  if (url.has_userinfo()) return std::string("the URL must not carry user:password@");
  if (url.has_fragment()) return std::string("the URL must not have a #fragment");
  switch (url.host_type()) {
    case boost::urls::host_type::name:
      out.host = grammar::to_lower(url.encoded_host().decode());
      break;
    case boost::urls::host_type::ipv4:
      out.host = url.host_ipv4_address().to_string();
      out.host_is_ip = true;
      break;
    case boost::urls::host_type::ipv6:
      out.host = url.host_ipv6_address().to_string();
      out.host_is_ip = true;
      break;
    default:
      return std::string("the URL has no usable host");
  }
  if (out.host.empty() || has_control(out.host)) return std::string("the URL has no usable host");
  if (!out.https && !is_loopback_host(out.host)) {
    return std::string("must be https:// (http:// only to a loopback address)");
  }
  const std::optional<std::uint16_t> port = http_port(url, *scheme);
  if (!port) return std::string("the URL's port must be 1-65535");
  out.port = *port;
  out.target = url.encoded_path().empty() ? std::string("/") : std::string(url.encoded_path());
  if (out.target.front() != '/') return std::string("the URL's path must start with '/'");
  if (url.has_query()) {
    out.target += '?';
    out.target += url.encoded_query();
  }
  out.authority =
      http_authority(out.host, url.host_type() == boost::urls::host_type::ipv6, out.port, *scheme);
  return out;
}

}  // namespace authgate::net
