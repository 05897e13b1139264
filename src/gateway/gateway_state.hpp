#pragma once
// What every session shares: the current config snapshot, the authenticator, logging and the
// shutdown flag (process-wide, thread-safe); and what one I/O thread owns alone (its io_context,
// upstream pool and the sessions it runs).

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <unordered_set>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "config/snapshot.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/conn/connection_table.hpp"
#include "gateway/proxy/upstream_pool.hpp"

namespace authgate::gateway {

class AccessLog;
class Metrics;
class Session;
struct RequestRecord;

/// The snapshot serving new requests. Reload swaps it; a request keeps the one it started with.
class SnapshotSource {
 public:
  explicit SnapshotSource(std::shared_ptr<const config::Snapshot> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const config::Snapshot> current() const { return current_.load(std::memory_order_acquire); }
  void replace(std::shared_ptr<const config::Snapshot> next) {
    current_.store(std::move(next), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<const config::Snapshot>> current_;
};

struct GatewayState {
  explicit GatewayState(std::shared_ptr<const config::Snapshot> initial, Authenticator& auth)
      : snapshots(std::move(initial)), authenticator(auth), judge(auth) {}

  SnapshotSource snapshots;
  Authenticator& authenticator;
  Judge judge;                      // every listener's one judging step
  Metrics* metrics = nullptr;       // optional (tests)
  AccessLog* access_log = nullptr;  // optional (tests, `access_log.enabled: false`)
  /// Test seam: also sees every record (called on the I/O thread that finished the request).
  std::function<void(const RequestRecord&)> observer;
  std::atomic<bool> draining{false};
  std::atomic<std::size_t> connections{0};  // sessions running (drain waits for 0)
  ConnectionTable connection_table;         // admission at accept: limits in total and per address

  /// Hands a finished request to the access log and the metrics.
  void record(const RequestRecord& record) const;
};

struct IoThread;

/// A session's relay buffer, taken from its I/O thread's pool on first use (get()); many requests
/// (a GET whose small answer came whole) never need one.
class LazyScratch {
 public:
  LazyScratch(std::vector<char>& slot, IoThread& thread) : slot_(slot), thread_(thread) {}
  std::span<char> get();

 private:
  std::vector<char>& slot_;
  IoThread& thread_;
};

/// One I/O thread's own things. Touched only from that thread (its io_context runs on it alone).
struct IoThread {
  IoThread() : pool(context.get_executor()) {}
  boost::asio::io_context context{1};
  UpstreamPool pool;
  std::unordered_set<Session*> sessions;

  /// Today's IMF-fixdate, formatted at most once per second.
  const std::string& date();

  /// A 64 KiB body-relay buffer for a session that is about to move a body. Sessions give it back
  /// when they go idle, so an idle keep-alive connection holds no buffer (10,000 idle connections
  /// would otherwise pin 640 MiB). This thread only.
  std::vector<char> take_scratch();
  void give_back_scratch(std::vector<char> scratch);
  /// Frees the spare buffers no session needed since the last call (called about once a second), so a
  /// burst's buffers go back once it has passed while a steady load keeps what it uses.
  void trim_scratch();

 private:
  std::vector<std::vector<char>> spare_scratch_;  // at most max_spare_scratch, reused LIFO
  std::size_t spare_low_water_ = 0;               // fewest spares since the last trim_scratch()
  std::string date_;
  std::chrono::system_clock::time_point date_second_{};
};

}  // namespace authgate::gateway
