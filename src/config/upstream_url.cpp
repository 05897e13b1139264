// Upstream URL parsing over Boost.URL.
#include "config/upstream_url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <optional>

#include "config/syntax.hpp"
#include "net/http_url.hpp"

namespace authgate::config {

std::string UpstreamUrl::authority() const {
  return net::http_authority(host, host_is_ipv6, port,
                             https ? net::HttpScheme::https : net::HttpScheme::http);
}

namespace {

// Sets `host` from the URL, or returns why it cannot be an upstream host.
std::optional<std::string> host_problem(const boost::urls::url_view& url, std::string& host) {
  switch (url.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6:
      host = url.host_address();
      return std::nullopt;
    case boost::urls::host_type::name:
      if (url.encoded_host().find('%') != boost::urls::string_view::npos) {
        return "the host must not be percent-encoded";
      }
      host = to_lower(url.encoded_host());
      if (!is_dns_name(host)) return "the host is not a valid DNS name";
      return std::nullopt;
    case boost::urls::host_type::none:
    case boost::urls::host_type::ipvfuture:
      break;
  }
  return "expected a host name or an IP address";
}

std::string base_path_of(std::string_view path) {
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

}  // namespace

boost::system::result<UpstreamUrl, std::string> parse_upstream_url(std::string_view text) {
  const auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return std::string("not an absolute URL such as http://127.0.0.1:3000");
  const boost::urls::url_view& url = *parsed;
  UpstreamUrl out;
  const std::optional<net::HttpScheme> scheme = net::http_scheme(url);
  if (!scheme) return std::string("the scheme must be http or https");
  out.https = *scheme == net::HttpScheme::https;
  if (!url.has_authority() || url.encoded_host().empty()) return std::string("the URL has no host");
  if (url.has_userinfo()) return std::string("credentials (user@) do not belong in an upstream URL");
  if (url.has_query() || url.has_fragment()) return std::string("an upstream URL has no query or fragment");
  if (auto problem = host_problem(url, out.host)) return std::move(*problem);
  out.host_is_ipv6 = url.host_type() == boost::urls::host_type::ipv6;
  const std::optional<std::uint16_t> port = net::http_port(url, *scheme);
  if (!port) return std::string("expected a port from 1 to 65535");
  out.port = *port;
  const std::string_view path = url.encoded_path();
  if (path.find("/./") != std::string_view::npos || path.find("/../") != std::string_view::npos ||
      path.ends_with("/.") || path.ends_with("/..")) {
    return std::string("the base path must not contain '.' or '..' segments");
  }
  out.base_path = base_path_of(path);
  return out;
}

}  // namespace authgate::config
