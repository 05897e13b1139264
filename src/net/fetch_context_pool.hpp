#pragma once
// Idle keep-alive connections of async_fetch (net/http_fetch_async.hpp, ConnectionReuse). Internal to
// net/.
//
// A connection's sockets and timers belong to the io_context it was opened on, so it is parked there:
// in ContextLinks, owned by a service of that io_context (ContextLinksService) and keyed by client and
// origin; only a coroutine running on the same io_context can take it. The limits apply per client and
// io_context: each io_context holds at most max_idle connections of one client (N I/O threads may
// keep N × max_idle open). Expiry is checked when the client next takes or parks on that io_context.
//
// Lifetimes, either order:
// - the io_context goes first: Asio shuts its services down before destroying any of them, and the
//   service, registered only when the first connection is parked (after the socket and timer services
//   that connection uses, so it is shut down before them), closes everything parked there then;
// - the client goes first: ContextFetchPool remembers every ContextLinks it parked in and closes its
//   connections there from the destroying thread. It does so under the ContextLinks lock, which the
//   service's shutdown takes as well, so an io_context is never torn down while one of its sockets is
//   being closed, and one already shut down is never touched.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/asio/execution_context.hpp>

#include "net/fetch_link.hpp"
#include "net/idle_links.hpp"

namespace authgate::net::detail {

/// A connection kept for async_fetch; its streams use the executor of the io_context it was opened on.
struct ParkedLink {
  explicit ParkedLink(std::string origin_key) : origin(std::move(origin_key)) {}
  FetchLink link;
  std::string origin;  // "https://host:port": which requests may use it
  SteadyClock::time_point idle_since{};
};

/// The parked connections of one io_context, of every client. Shared by the io_context's service and
/// the clients that parked here. Thread-safe.
class ContextLinks {
 public:
  /// The most recently parked live connection of `client` to `origin`, or null (see IdleLinks::take).
  /// Call on a thread running this io_context.
  std::unique_ptr<ParkedLink> take(std::uint64_t client, const std::string& origin,
                                   std::chrono::milliseconds idle_timeout);

  /// Parks `link` if it is reusable and `client` has room here (see IdleLinks::park); otherwise, or
  /// once this io_context has shut down, closes it. Call on a thread running this io_context.
  void park(std::uint64_t client, std::unique_ptr<ParkedLink> link, const ConnectionReuse& reuse);

  /// Closes every connection `client` parked here, unless the io_context has shut down (they are gone
  /// then). Any thread.
  void close_client(std::uint64_t client) noexcept;

  /// Closes everything and parks nothing more: the io_context is shutting down.
  void shut_down() noexcept;

  /// False once the io_context has shut down.
  bool is_open() const;

  /// Connections of `client` parked here.
  std::size_t idle_count(std::uint64_t client) const;
  /// Connections of every client parked here.
  std::size_t idle_count() const;

 private:
  mutable std::mutex mutex_;
  bool open_ = true;
  std::unordered_map<std::uint64_t, IdleLinks<ParkedLink>> by_client_;
};

/// Owns the ContextLinks of one io_context; Asio calls shutdown() when the io_context is destroyed.
class ContextLinksService final : public boost::asio::execution_context::service {
 public:
  static boost::asio::execution_context::id id;

  explicit ContextLinksService(boost::asio::execution_context& owner);
  const std::shared_ptr<ContextLinks>& links() const noexcept { return links_; }

 private:
  void shutdown() override;
  std::shared_ptr<ContextLinks> links_;
};

/// One client's async connection reuse: where it parked, so that its destruction closes what it left.
/// Thread-safe: coroutines on several io_contexts may use it at once.
class ContextFetchPool {
 public:
  explicit ContextFetchPool(ConnectionReuse reuse);
  /// Closes this client's parked connections on every io_context that has not shut down.
  ~ContextFetchPool();
  ContextFetchPool(const ContextFetchPool&) = delete;
  ContextFetchPool& operator=(const ContextFetchPool&) = delete;

  /// Reuse is on (max_idle > 0): requests go without `Connection: close`.
  bool keep_alive() const noexcept { return reuse_.max_idle > 0; }

  /// A live connection to `origin` this client parked on `context`, or null (always null without
  /// reuse). Call from a coroutine running on `context`.
  std::unique_ptr<ParkedLink> take(boost::asio::execution_context& context, const std::string& origin);

  /// Parks `link`, opened on `context` and with nothing pending on it, if reuse is on, it is reusable and
  /// there is room; closes it otherwise. Call from a coroutine running on `context`.
  void give_back(boost::asio::execution_context& context, std::unique_ptr<ParkedLink> link);

  /// This client's connections parked on every io_context together.
  std::size_t idle_count() const;

 private:
  void remember(const std::shared_ptr<ContextLinks>& links);

  const std::uint64_t id_;
  const ConnectionReuse reuse_;
  mutable std::mutex mutex_;
  std::vector<std::shared_ptr<ContextLinks>> contexts_;  // where it parked; shut-down ones pruned
};

}  // namespace authgate::net::detail
