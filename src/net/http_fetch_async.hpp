#pragma once
// The awaitable form of HttpClient::fetch, for coroutines on an io_context (the JWKS refresher).

#include <boost/asio/awaitable.hpp>

#include "net/http_fetch.hpp"

namespace authgate::net {

/// Fetches on the calling coroutine's executor. Never throws for network or protocol failures (they
/// are FetchErrors); completes within about `limits.timeout`. Keep `client` alive until it completes.
boost::asio::awaitable<FetchResult> async_fetch(const HttpClient& client, FetchRequest request,
                                                FetchLimits limits);

}  // namespace authgate::net
