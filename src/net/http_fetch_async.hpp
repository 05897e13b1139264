#pragma once
// The awaitable form of HttpClient::fetch, for coroutines on an io_context (the JWKS refresher, token
// introspection on the I/O threads).

#include <boost/asio/awaitable.hpp>

#include "net/http_fetch.hpp"

namespace authgate::net {

/// Fetches on the calling coroutine's executor. Never throws for network or protocol failures (they
/// are FetchErrors); completes within about `limits.timeout`, a retry on a fresh connection included.
/// With the client's ConnectionReuse, takes a connection parked on the same io_context (execution
/// context of the executor) when there is one, and parks its connection there afterwards when it may
/// carry another request (see ConnectionReuse); without it, opens and closes its own. Thread-safe:
/// coroutines on several io_contexts may use one client at once. Keep `client` alive until it
/// completes; the io_context may be destroyed before the client.
boost::asio::awaitable<FetchResult> async_fetch(const HttpClient& client, FetchRequest request,
                                                FetchLimits limits);

}  // namespace authgate::net
