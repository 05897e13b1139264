// Matching a Digest `uri` with the request-target, over Boost.URL.
#include "schemes/digest/digest_uri.hpp"

#include <cstdint>
#include <utility>

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "authgate/grammar/ascii.hpp"

namespace authgate::schemes::digest {
namespace {

/// The host and port of a Host field value ("example.com:8080", "[::1]:80", "example.com" → port "").
std::pair<std::string_view, std::string_view> split_host(std::string_view host) {
  const auto bracket = host.starts_with('[') ? host.find(']') : std::string_view::npos;
  const auto colon = host.rfind(':');
  if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket))
    return {host, ""};
  return {host.substr(0, colon), host.substr(colon + 1)};
}

/// The port a URI names, or its scheme's default (80 for http, 443 for https; 0 for other schemes).
std::uint16_t port_of(const boost::urls::url_view& u) {
  if (u.has_port()) return u.port_number();
  if (grammar::iequals(u.scheme(), "http")) return 80;
  if (grammar::iequals(u.scheme(), "https")) return 443;
  return 0;
}

/// True when the absolute-form `u` names the origin this request reached: `host` (a Host field value), over
/// TLS when `secure`.
bool names_this_origin(const boost::urls::url_view& u, std::string_view host, bool secure) {
  if (!grammar::iequals(u.scheme(), secure ? "https" : "http")) return false;
  const auto [name, port_text] = split_host(host);
  if (!grammar::iequals(u.encoded_host(), name)) return false;
  std::uint16_t port = secure ? 443 : 80;
  if (!port_text.empty()) {
    unsigned value = 0;
    for (const char c : port_text) {
      if (c < '0' || c > '9' || (value = value * 10 + static_cast<unsigned>(c - '0')) > 65535) return false;
    }
    port = static_cast<std::uint16_t>(value);
  }
  return port_of(u) == port;
}

}  // namespace

bool uri_names_target(std::string_view uri, std::string_view target, std::string_view host, bool secure) {
  if (uri == target) return true;
  auto given = boost::urls::parse_uri_reference(uri);
  auto asked = boost::urls::parse_uri_reference(target);
  if (!given || !asked || given->has_fragment() || asked->has_fragment()) return false;
  const boost::urls::url_view& u = *given;
  const boost::urls::url_view& t = *asked;
  if (u.encoded_path() != t.encoded_path() || u.has_query() != t.has_query() ||
      u.encoded_query() != t.encoded_query()) {
    return false;
  }
  if (u.has_scheme() && t.has_scheme()) {
    return grammar::iequals(u.scheme(), t.scheme()) && grammar::iequals(u.encoded_host(), t.encoded_host()) &&
           port_of(u) == port_of(t) && port_of(u) != 0;
  }
  // A uri in absolute-form against an origin-form target must name the origin the request reached (another
  // scheme or port is another resource); an origin-form uri against an absolute-form target (a proxy's
  // request) names that target.
  if (u.has_scheme()) return !t.has_authority() && names_this_origin(u, host, secure);
  if (t.has_scheme()) return !u.has_authority();
  return !u.has_authority() && !t.has_authority();
}

}  // namespace authgate::schemes::digest
