// Cache-Control max-age and OpenID Connect discovery documents (see net/key_source_docs.hpp).
#include "net/key_source_docs.hpp"

#include <cstdint>

#include "authgate/grammar/ascii.hpp"
#include "jose/json_strict.hpp"

namespace authgate::net {
namespace {

constexpr std::int64_t max_delta_seconds = std::int64_t{1} << 31;  // RFC 9111 §1.2.2
constexpr std::size_t max_document_bytes = std::size_t{1} << 20;

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
  return s;
}

using grammar::iequals;

std::optional<std::chrono::seconds> delta_seconds(std::string_view value) noexcept {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
    value = value.substr(1, value.size() - 2);
  if (value.empty()) return std::nullopt;
  std::int64_t n = 0;
  for (const char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    n = std::min(n * 10 + (c - '0'), max_delta_seconds);
  }
  return std::chrono::seconds(n);
}

using DiscoveryResult = boost::system::result<std::string, std::string>;

DiscoveryResult refuse(const char* why) { return DiscoveryResult(boost::system::in_place_error, why); }

}  // namespace

std::optional<std::chrono::seconds> cache_max_age(std::string_view field) noexcept {
  std::optional<std::chrono::seconds> max_age;
  bool no_cache = false;
  while (!field.empty()) {
    const auto comma = field.find(',');
    const std::string_view directive = trim(field.substr(0, comma));
    field = comma == std::string_view::npos ? std::string_view{} : field.substr(comma + 1);
    const auto equals = directive.find('=');
    const std::string_view name = trim(directive.substr(0, equals));
    if (iequals(name, "no-store") || iequals(name, "no-cache")) no_cache = true;
    if (!max_age && equals != std::string_view::npos && iequals(name, "max-age")) {
      max_age = delta_seconds(trim(directive.substr(equals + 1)));
    }
  }
  if (no_cache) return std::chrono::seconds(0);
  return max_age;
}

std::string discovery_url(std::string_view issuer) {
  std::string url(issuer);
  if (!url.empty() && url.back() == '/') url.pop_back();
  url += "/.well-known/openid-configuration";
  return url;
}

boost::system::result<std::string, std::string> parse_discovery(std::string_view document,
                                                                std::string_view expected_issuer) {
  if (document.size() > max_document_bytes) return refuse("the discovery document is over 1 MiB");
  const auto root = jose::detail::parse_json_object(document);
  if (!root) return refuse("the discovery document is not one JSON object");
  const auto* issuer = root->if_contains("issuer");
  if (issuer == nullptr || !issuer->is_string()) return refuse("the discovery document has no issuer");
  // OpenID Connect Discovery §4.3: the issuer returned MUST be identical to the one the URL was made from.
  if (std::string_view(issuer->get_string()) != expected_issuer) {
    return refuse("the discovery document names another issuer");
  }
  const auto* jwks_uri = root->if_contains("jwks_uri");
  if (jwks_uri == nullptr || !jwks_uri->is_string() || jwks_uri->get_string().empty()) {
    return refuse("the discovery document has no jwks_uri");
  }
  return DiscoveryResult(boost::system::in_place_value, std::string(jwks_uri->get_string()));
}

}  // namespace authgate::net
