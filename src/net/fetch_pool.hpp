#pragma once
// Idle keep-alive connections of one fetch client (net/http_fetch.hpp, ConnectionReuse). Internal to
// net/. Each connection owns the io_context it runs on, so a worker thread can take it, run one
// blocking fetch on it and give it back, and no two threads ever touch one connection.

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "net/fetch_link.hpp"

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

/// LIFO stack of idle connections, at most `max_idle` (all origins together), each dropped after
/// `idle_timeout`. Thread-safe.
class FetchPool {
 public:
  FetchPool(std::size_t max_idle, std::chrono::milliseconds idle_timeout)
      : max_idle_(max_idle), idle_timeout_(idle_timeout) {}

  /// The most recently parked live connection to `origin`, or null. Drops expired connections and any
  /// whose socket became readable while idle (an HTTP/1.1 server sends nothing unprompted: readable
  /// means it closed the connection or broke the protocol).
  std::unique_ptr<PooledLink> take(const std::string& origin);

  /// Parks `link` if it is open and reusable and the pool has room; otherwise closes it.
  void give_back(std::unique_ptr<PooledLink> link);

  std::size_t idle_count() const;

 private:
  void drop_expired(SteadyClock::time_point now, std::vector<std::unique_ptr<PooledLink>>& dropped);

  const std::size_t max_idle_;
  const std::chrono::milliseconds idle_timeout_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<PooledLink>> idle_;  // oldest first
};

}  // namespace authgate::net::detail
