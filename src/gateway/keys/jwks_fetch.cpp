// One remote key-set fetch (see gateway/jwks_fetch.hpp).
#include "gateway/keys/jwks_fetch.hpp"

#include <algorithm>

#include "net/http_fetch_async.hpp"
#include "net/key_source_docs.hpp"

namespace authgate::gateway {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr auto max_discovery_lifetime = std::chrono::hours(24);

KeySetFetch failed(std::string why) { return KeySetFetch(boost::system::in_place_error, std::move(why)); }

using Discovery = boost::system::result<DiscoveredJwks, std::string>;

boost::asio::awaitable<Discovery> discover(const config::RemoteKeys& remote, const net::HttpClient& client,
                                           net::FetchLimits limits) {
  const std::string url = net::discovery_url(remote.discovery_issuer);
  // Named requests: GCC 12 destroys a braced temporary passed by value to a coroutine twice.
  net::FetchRequest request{url, false, {}, {}};
  const auto document = co_await net::async_fetch(client, std::move(request), limits);
  if (!document)
    co_return Discovery(boost::system::in_place_error,
                        "discovery " + url + ": " + document.error().message());
  if (document->status != 200) {
    co_return Discovery(boost::system::in_place_error,
                        "discovery " + url + ": HTTP " + std::to_string(document->status));
  }
  auto jwks_uri = net::parse_discovery(document->body, remote.discovery_issuer);
  if (!jwks_uri) {
    co_return Discovery(boost::system::in_place_error,
                        "discovery " + url + ": " + jwks_uri.error() + " (refused)");
  }
  const auto lifetime =
      discovery_lifetime(net::cache_max_age(document->cache_control), remote.refresh_interval);
  co_return DiscoveredJwks{std::move(*jwks_uri), SteadyClock::now() + lifetime};
}

boost::asio::awaitable<KeySetFetch> fetch_jwks(const std::string& jwks_url, const net::HttpClient& client,
                                               net::FetchLimits limits) {
  net::FetchRequest request{jwks_url, false, {}, {}};
  const auto response = co_await net::async_fetch(client, std::move(request), limits);
  if (!response) co_return failed("JWKS " + jwks_url + ": " + response.error().message());
  if (response->status != 200)
    co_return failed("JWKS " + jwks_url + ": HTTP " + std::to_string(response->status));
  auto parsed = jose::parse_jwks(response->body);
  if (!parsed) co_return failed("JWKS " + jwks_url + ": " + parsed.error().message());
  std::string skipped;
  for (const auto& key : parsed->skipped) {
    skipped += (skipped.empty() ? "" : "; ") + ("key " + std::to_string(key.index)) +
               (key.kid.empty() ? "" : " (kid \"" + key.kid + "\")") + ": " + key.error.message();
  }
  if (parsed->keys->empty()) co_return failed("JWKS " + jwks_url + ": no usable key (" + skipped + ")");
  co_return FetchedKeySet{parsed->keys, net::cache_max_age(response->cache_control), std::move(skipped),
                          jwks_url};
}

}  // namespace

SteadyClock::duration discovery_lifetime(std::optional<std::chrono::seconds> max_age,
                                         SteadyClock::duration refresh_interval) {
  if (!max_age) return max_discovery_lifetime;
  const SteadyClock::duration floor =
      std::min<SteadyClock::duration>(refresh_interval, max_discovery_lifetime);
  return std::clamp<SteadyClock::duration>(*max_age, floor, max_discovery_lifetime);
}

boost::asio::awaitable<KeySetFetch> fetch_key_set(config::RemoteKeys remote, DiscoveredJwks& discovered) {
  auto client = net::HttpClient::create(remote.ca_file);
  if (!client) co_return failed(client.error().message());
  const net::FetchLimits limits{remote.timeout, std::size_t{1} << 20};
  if (remote.discovery_issuer.empty()) co_return co_await fetch_jwks(remote.jwks_url, **client, limits);
  const bool remembered = !discovered.jwks_uri.empty() && SteadyClock::now() < discovered.fresh_until;
  if (!remembered) {
    auto fresh = co_await discover(remote, **client, limits);
    if (!fresh) co_return failed(std::move(fresh.error()));
    discovered = std::move(*fresh);
  }
  auto keys = co_await fetch_jwks(discovered.jwks_uri, **client, limits);
  if (keys || !remembered) co_return keys;
  // Why ask again: the remembered jwks_uri may be one the issuer has since moved away from, and the
  // discovery document is the authority on where its keys are (OpenID Connect Discovery §3).
  const std::string previous = std::move(discovered.jwks_uri);
  discovered = {};
  auto again = co_await discover(remote, **client, limits);
  if (!again) co_return failed(keys.error() + "; " + again.error());
  discovered = std::move(*again);
  if (discovered.jwks_uri == previous) co_return keys;
  co_return co_await fetch_jwks(discovered.jwks_uri, **client, limits);
}

}  // namespace authgate::gateway
