#pragma once
// Idle keep-alive connections of the blocking HttpClient::fetch() (net/http_fetch.hpp, ConnectionReuse).
// Internal to net/. Each connection owns the io_context it runs on, so a worker thread can take it, run
// one blocking fetch on it and give it back, and no two threads ever touch one connection. (async_fetch
// parks its connections in the caller's io_context instead: net/fetch_context_pool.hpp.)

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include <boost/asio/io_context.hpp>

#include "net/fetch_link.hpp"
#include "net/idle_links.hpp"

namespace authgate::net::detail {

/// A connection with its own single-threaded io_context. `io` is declared first so that the link (whose
/// sockets and timers belong to it) is destroyed before it.
struct PooledLink {
  explicit PooledLink(std::string origin_key) : origin(std::move(origin_key)) {}
  boost::asio::io_context io{1};
  FetchLink link;
  std::string origin;  // "https://host:port": which requests may use it
  SteadyClock::time_point idle_since{};
};

/// At most `reuse.max_idle` idle connections (all origins together), each dropped after
/// `reuse.idle_timeout` (see IdleLinks). Thread-safe.
class FetchPool {
 public:
  explicit FetchPool(ConnectionReuse reuse) : reuse_(reuse) {}

  /// The most recently parked live connection to `origin`, or null (see IdleLinks::take).
  std::unique_ptr<PooledLink> take(const std::string& origin);

  /// Parks `link` if it is open and reusable and the pool has room; otherwise closes it.
  void give_back(std::unique_ptr<PooledLink> link);

  std::size_t idle_count() const;

 private:
  const ConnectionReuse reuse_;
  mutable std::mutex mutex_;
  IdleLinks<PooledLink> idle_;
};

}  // namespace authgate::net::detail
