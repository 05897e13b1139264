// Matching a Digest `uri` with the request-target, over Boost.URL.
#include "schemes/digest/digest_uri.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include "authgate/grammar/ascii.hpp"

namespace authgate::schemes::digest {
namespace {

/// The host of a Host field value ("example.com:8080" → "example.com", "[::1]:80" → "[::1]").
std::string_view host_of(std::string_view host) {
  if (!host.empty() && host.front() == '[') return host.substr(0, host.find(']') + 1);
  return host.substr(0, host.rfind(':'));
}

}  // namespace

bool uri_names_target(std::string_view uri, std::string_view target, std::string_view host) {
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
           u.port_number() == t.port_number();
  }
  // A uri in absolute-form against an origin-form target must name the host the request went to; an
  // origin-form uri against an absolute-form target (a proxy's request) names that target's host.
  if (u.has_scheme()) return !t.has_authority() && grammar::iequals(u.encoded_host(), host_of(host));
  if (t.has_scheme()) return !u.has_authority();
  return !u.has_authority() && !t.has_authority();
}

}  // namespace authgate::schemes::digest
