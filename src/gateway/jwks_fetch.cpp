// One remote key-set fetch (see gateway/jwks_fetch.hpp).
#include "gateway/jwks_fetch.hpp"

#include "net/http_fetch_async.hpp"
#include "net/key_source_docs.hpp"

namespace authgate::gateway {
namespace {

KeySetFetch failed(std::string why) { return KeySetFetch(boost::system::in_place_error, std::move(why)); }

}  // namespace

boost::asio::awaitable<KeySetFetch> fetch_key_set(config::RemoteKeys remote) {
  auto client = net::HttpClient::create(remote.ca_file);
  if (!client) co_return failed(client.error().message());
  const net::FetchLimits limits{remote.timeout, std::size_t{1} << 20};
  std::string jwks_url = remote.jwks_url;
  if (!remote.discovery_issuer.empty()) {
    const std::string url = net::discovery_url(remote.discovery_issuer);
    // Named requests: GCC 12 destroys a braced temporary passed by value to a coroutine twice.
    net::FetchRequest discovery{url, false, {}, {}};
    const auto document = co_await net::async_fetch(**client, std::move(discovery), limits);
    if (!document) co_return failed("discovery " + url + ": " + document.error().message());
    if (document->status != 200)
      co_return failed("discovery " + url + ": HTTP " + std::to_string(document->status));
    auto jwks_uri = net::parse_discovery(document->body, remote.discovery_issuer);
    if (!jwks_uri) co_return failed("discovery " + url + ": " + jwks_uri.error() + " (refused)");
    jwks_url = std::move(*jwks_uri);
  }
  net::FetchRequest request{jwks_url, false, {}, {}};
  const auto response = co_await net::async_fetch(**client, std::move(request), limits);
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
  co_return FetchedKeySet{parsed->keys, net::cache_max_age(response->cache_control), std::move(skipped)};
}

}  // namespace authgate::gateway
