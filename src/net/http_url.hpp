#pragma once
// The rules every http(s) URL authgate accepts has in common, whether the gateway fetches from it
// (net/fetch_url: JWKS, discovery, introspection) or forwards to it (config/upstream_url): the scheme,
// the port, and the authority for the Host field. Each caller keeps its own checks (which URL forms,
// hosts and paths it allows) and its own error messages.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/url/url_view.hpp>

namespace authgate::net {

enum class HttpScheme { http, https };

/// `http` or `https`, in any case (RFC 3986 §3.1: schemes are case-insensitive); nullopt for any other.
std::optional<HttpScheme> http_scheme(const boost::urls::url_view& url) noexcept;

/// The URL's port: the one written, else 443 for https and 80 for http (RFC 9110 §4.2). nullopt when a
/// port is written but is not 1-65535 (empty as in "host:/", 0, or too large).
std::optional<std::uint16_t> http_port(const boost::urls::url_view& url, HttpScheme scheme) noexcept;

/// host[:port] as it goes into a Host field (RFC 9110 §7.2): an IPv6 literal in brackets, the port only
/// when it is not the scheme's default.
std::string http_authority(std::string_view host, bool host_is_ipv6, std::uint16_t port, HttpScheme scheme);

}  // namespace authgate::net
