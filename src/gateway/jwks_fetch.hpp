#pragma once
// One refresh of a remote key source: OpenID Connect discovery when configured, then the JWKS.

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
};

/// The error is one log-ready sentence (URLs and reasons; never document contents).
using KeySetFetch = boost::system::result<FetchedKeySet, std::string>;

/// Discovery (`<issuer>/.well-known/openid-configuration`, issuer must match exactly, OIDC Discovery
/// §4.3) when `remote.discovery_issuer` is set, then GET the JWKS (https, or http to loopback), parse it
/// with jose::parse_jwks. A set with no usable key is an error (keep the last good one instead).
boost::asio::awaitable<KeySetFetch> fetch_key_set(config::RemoteKeys remote);

}  // namespace authgate::gateway
