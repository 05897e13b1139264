#pragma once
// Prometheus metrics of the gateway. Plain C++ (no Asio/Beast) so any file may include it cheaply.
//
// The hot path (record(), the gauges) is lock-free: every series is a preallocated atomic counter, and the
// route label is found in an insert-only open-addressing table of atomic pointers. Label sets are bounded:
// route names come from the config (at most max_routes distinct names over the process lifetime, beyond
// which they count as "other"), status codes are 100–599, reasons are the closed `authgate::Reason` set.

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/conn/connection_table.hpp"
#include "gateway/keys/key_source_metrics.hpp"
#include "gateway/ops/request_record.hpp"

namespace authgate::gateway {

enum class HashRefusal : unsigned char;  // gateway/authn/worker_pool.hpp

/// A latency histogram with fixed bucket bounds (seconds, as in the Prometheus convention), lock-free.
class LatencyHistogram {
 public:
  /// Upper bounds in microseconds, ascending; the +Inf bucket is implicit.
  static constexpr std::array<std::uint64_t, 15> bounds_us = {
      500,     1'000,   2'500,     5'000,     10'000,    25'000,     50'000,    100'000,
      250'000, 500'000, 1'000'000, 2'500'000, 5'000'000, 10'000'000, 30'000'000};

  /// Adds one observation. Thread-safe, lock-free.
  void observe(std::chrono::microseconds value) noexcept;
  /// Observations so far.
  std::uint64_t count() const noexcept;

  /// Appends the `_bucket` (cumulative, `le` in seconds, then +Inf), `_sum` and `_count` samples of `name`,
  /// each with `labels` (e.g. `route="app"`; rendered escaped by the caller) before `le`.
  /// `_count` equals the +Inf bucket even while other threads observe.
  void render(std::string& out, std::string_view name, std::string_view labels = {}) const;

 private:
  std::array<std::atomic<std::uint64_t>, bounds_us.size() + 1> buckets_{};  // not cumulative; last = +Inf
  std::atomic<std::uint64_t> sum_us_{0};
};

/// Every gateway metric. One instance per process, shared by all I/O threads; all members thread-safe.
class Metrics {
 public:
  /// Distinct route label values kept; further names share the series route="other".
  static constexpr std::size_t max_routes = 1000;
  /// The label value of routes beyond max_routes (a route really named "other" shares that series).
  static constexpr std::string_view other_route = "other";

  /// `version` becomes the label of authgate_build_info.
  explicit Metrics(std::string version);
  ~Metrics();
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  /// Counts one finished request: requests_total{route,status}, auth_outcomes_total{reason},
  /// verify_cache_total (when record.cache_lookup), both duration histograms (upstream only when the request
  /// reached an upstream, i.e. upstream_time > 0). Lock-free except the first time a route name is seen.
  void record(const RequestRecord& record) noexcept;

  /// A client connection was accepted (connections_open + 1, connections_total + 1).
  void connection_opened() noexcept;
  /// A forward proxy answered a CONNECT with 200: counted when the tunnel opens, not when it ends.
  void tunnel_opened() noexcept;
  /// A client connection was closed (connections_open − 1).
  void connection_closed() noexcept;
  /// A connection refused at accept (connections_refused_total{why}).
  void connection_refused(ConnectionRefusal why) noexcept;
  /// Accepting paused at max_connections with no connection to close for room (authgate_accept_paused_total).
  void accept_paused() noexcept { accept_paused_.fetch_add(1, std::memory_order_relaxed); }
  /// Connections closed so far to make room for others (read from the connection table when rendered).
  void set_connections_evicted(std::uint64_t total) noexcept {
    evicted_.store(total, std::memory_order_relaxed);
  }
  /// The generation of the config snapshot now serving.
  void set_config_generation(std::uint64_t generation) noexcept;
  /// A reload attempt finished; `ok` false when the old snapshot stayed.
  void count_config_reload(bool ok) noexcept;
  /// When the config now serving was loaded (at start, then each successful reload): unix seconds.
  void set_last_reload_success(std::int64_t unix_seconds) noexcept {
    last_reload_success_.store(unix_seconds, std::memory_order_relaxed);
  }
  /// The notAfter time of each TLS listener's certificate (unix seconds), replacing the last set.
  void set_certificate_expiry(std::vector<std::pair<std::string, std::int64_t>> by_listener);
  /// Password verifications waiting for the worker pool.
  void set_worker_queue_depth(std::uint64_t depth) noexcept;
  /// The hashing pool refused a job (authgate_hash_queue_refused_total{why}).
  void count_hash_refused(HashRefusal why) noexcept;
  /// The hashing pool's measured mean time of one hash (authgate_hash_mean_seconds).
  void set_hash_mean_time(std::chrono::microseconds mean) noexcept;
  /// Access-log lines dropped so far (the writer fell behind or a write failed); a running total.
  void set_access_log_dropped(std::uint64_t lines) noexcept;

  /// Whether the state store is usable (authgate_state_store_up, 1 or 0).
  void set_state_store_up(bool up) noexcept;

  /// The remote key sources' counters (JWKS refresher).
  KeySourceMetrics& key_sources() noexcept { return key_sources_; }

  /// Current authgate_config_generation (for /healthz).
  std::uint64_t config_generation() const noexcept;

  /// The text exposition format 0.0.4: HELP and TYPE per family, escaped label values, series sorted.
  std::string render_prometheus() const;

 private:
  struct RouteSeries;
  RouteSeries& route_series(std::string_view route) noexcept;
  RouteSeries* find_or_insert(std::string_view route, std::size_t hash);
  void render_requests(std::string& out) const;
  void render_outcomes(std::string& out) const;
  void render_scalars(std::string& out) const;

  static constexpr std::size_t table_size = 2048;   // power of two, load factor ≤ 0.5
  static constexpr std::size_t reason_slots = 256;  // Reason is a std::uint8_t

  std::string version_;
  std::array<std::atomic<RouteSeries*>, table_size> table_{};
  mutable std::mutex insert_mutex_;  // taken when a route name is first seen, and by render_prometheus()
  std::vector<std::unique_ptr<RouteSeries>> owned_;  // guarded by insert_mutex_
  RouteSeries* other_ = nullptr;
  std::array<std::atomic<std::uint64_t>, reason_slots> outcomes_{};
  std::atomic<std::uint64_t> cache_hits_{0};
  std::atomic<std::uint64_t> cache_misses_{0};
  std::atomic<std::uint64_t> tunnels_{0};              // CONNECT tunnels opened by a forward proxy
  std::atomic<std::uint64_t> throttled_users_{0};      // 429s for a banned user name
  std::atomic<std::uint64_t> throttled_addresses_{0};  // 429s for a banned client address
  LatencyHistogram request_duration_;
  LatencyHistogram upstream_duration_;
  std::atomic<std::int64_t> connections_open_{0};
  std::atomic<std::uint64_t> connections_total_{0};
  std::array<std::atomic<std::uint64_t>, 4> refused_{};  // by ConnectionRefusal
  std::atomic<std::uint64_t> evicted_{0};
  std::atomic<std::uint64_t> accept_paused_{0};
  std::atomic<std::int64_t> last_reload_success_{0};
  mutable std::mutex certificates_mutex_;
  std::vector<std::pair<std::string, std::int64_t>> certificate_expiry_;  // guarded by certificates_mutex_
  std::atomic<std::uint64_t> config_generation_{0};
  std::atomic<std::uint64_t> reloads_ok_{0};
  std::atomic<std::uint64_t> reloads_error_{0};
  std::atomic<std::uint64_t> worker_queue_depth_{0};
  std::atomic<std::uint64_t> hash_refused_wait_{0};  // the expected wait was over limits.max_hash_wait
  std::atomic<std::uint64_t> hash_refused_full_{0};  // server.max_pending_hashes were waiting
  std::atomic<std::uint64_t> hash_mean_us_{0};
  std::atomic<std::uint64_t> access_log_dropped_{0};
  std::atomic<std::uint64_t> state_store_up_{1};
  KeySourceMetrics key_sources_;
};

/// Appends `value` escaped as a Prometheus label value (backslash, double quote, line feed).
void append_label_value(std::string& out, std::string_view value);

/// Appends a family's `# HELP` and `# TYPE` lines (text exposition format 0.0.4).
void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help);

}  // namespace authgate::gateway
