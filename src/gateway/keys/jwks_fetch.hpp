#pragma once
// One refresh of a remote key source: OpenID Connect discovery when configured (remembered between
// refreshes), then the JWKS.

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/system/result.hpp>

#include "authgate/jose/jwks.hpp"
#include "config/model.hpp"

namespace authgate::gateway {

struct FetchedKeySet {
  std::shared_ptr<const jose::KeySet> keys;     // never null, never empty
  std::optional<std::chrono::seconds> max_age;  // from the JWKS response's Cache-Control
  std::string skipped;                          // keys left out and why, one log-ready text ("" = none)
  std::string jwks_url;                         // where the keys came from (the discovered jwks_uri)
};

/// The `jwks_uri` a discovery document named, kept between refreshes of one source so that discovery
/// is not fetched again on every JWKS refresh. Empty until the first discovery.
struct DiscoveredJwks {
  std::string jwks_uri;
  std::chrono::steady_clock::time_point fresh_until{};
};

/// How long a discovery document is trusted: its Cache-Control max-age, at least `refresh_interval`
/// (a shorter one would mean discovery on every refresh again) and at most 24 h; 24 h without max-age.
std::chrono::steady_clock::duration discovery_lifetime(std::optional<std::chrono::seconds> max_age,
                                                       std::chrono::steady_clock::duration refresh_interval);

/// The error is one log-ready sentence (URLs and reasons; never document contents).
using KeySetFetch = boost::system::result<FetchedKeySet, std::string>;

/// Discovery (`<issuer>/.well-known/openid-configuration`, issuer must match exactly, OIDC Discovery
/// §4.3) when `remote.discovery_issuer` is set and `discovered` is empty or stale, then GET the JWKS
/// (https, or http to loopback), parse it with jose::parse_jwks. A set with no usable key is an error
/// (keep the last good one instead). When the JWKS fetch fails at a remembered jwks_uri, discovery is
/// asked again at once and a changed jwks_uri is tried in the same refresh (the keys may have moved).
/// `discovered` must outlive the coroutine; it is updated in place.
boost::asio::awaitable<KeySetFetch> fetch_key_set(config::RemoteKeys remote, DiscoveredJwks& discovered);

}  // namespace authgate::gateway
