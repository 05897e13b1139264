#include "gateway/ops/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <functional>
#include <utility>

#include "authgate/reason.hpp"
#include "gateway/authn/worker_pool.hpp"
#include "net/socket_records.hpp"

namespace authgate::gateway {
namespace {

constexpr auto relaxed = std::memory_order_relaxed;
constexpr int min_status = 100;
constexpr int max_status = 599;

template <typename Int>
void append_int(std::string& out, Int value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

/// Microseconds as decimal seconds with no trailing zeros ("0.0005", "1", "2.5"): exact, no floating point,
/// so golden tests and `le` labels are stable.
void append_seconds(std::string& out, std::uint64_t us) {
  append_int(out, us / 1'000'000);
  std::uint64_t frac = us % 1'000'000;
  if (frac == 0) return;
  char digits[6];
  for (int i = 5; i >= 0; --i, frac /= 10) digits[i] = static_cast<char>('0' + frac % 10);
  int len = 6;
  while (digits[len - 1] == '0') --len;
  out.push_back('.');
  out.append(digits, static_cast<std::size_t>(len));
}

template <typename Int>
void append_sample(std::string& out, std::string_view name, std::string_view labels, Int value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.push_back(' ');
  append_int(out, value);
  out.push_back('\n');
}

}  // namespace

void append_family(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void append_label_value(std::string& out, std::string_view value) {
  for (const char c : value) {
    switch (c) {
      case '\\':
        out.append("\\\\");
        break;
      case '"':
        out.append("\\\"");
        break;
      case '\n':
        out.append("\\n");
        break;
      default:
        out.push_back(c);
    }
  }
}

// --- LatencyHistogram ---------------------------------------------------------------------------------

void LatencyHistogram::observe(std::chrono::microseconds value) noexcept {
  const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(value.count(), 0));
  std::size_t i = 0;
  while (i < bounds_us.size() && us > bounds_us[i]) ++i;  // `le` is inclusive
  buckets_[i].fetch_add(1, relaxed);
  sum_us_.fetch_add(us, relaxed);
}

std::uint64_t LatencyHistogram::count() const noexcept {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(relaxed);
  return total;
}

void LatencyHistogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_us.size(); ++i) {
    cumulative += buckets_[i].load(relaxed);
    out.append(name).append("_bucket{");
    if (!labels.empty()) out.append(labels).push_back(',');
    out.append("le=\"");
    if (i < bounds_us.size()) {
      append_seconds(out, bounds_us[i]);
    } else {
      out.append("+Inf");
    }
    out.append("\"} ");
    append_int(out, cumulative);
    out.push_back('\n');
  }
  const auto with_labels = [&](std::string_view suffix) {
    out.append(name).append(suffix);
    if (!labels.empty()) out.append("{").append(labels).append("}");
    out.push_back(' ');
  };
  with_labels("_sum");
  append_seconds(out, sum_us_.load(relaxed));
  out.push_back('\n');
  with_labels("_count");
  append_int(out, cumulative);  // the +Inf bucket, so the two always agree
  out.push_back('\n');
}

// --- Metrics --------------------------------------------------------------------------------------------

struct Metrics::RouteSeries {
  RouteSeries(std::string_view n, std::size_t h) : name(n), hash(h) {}
  std::string name;
  std::size_t hash;
  // [0] counts statuses outside 100–599 (rendered as code="0"); [code − 99] counts each real code.
  std::array<std::atomic<std::uint64_t>, max_status - min_status + 2> by_status{};
  LatencyHistogram duration;
};

Metrics::Metrics(std::string version) : version_(std::move(version)) {
  const std::size_t hash = std::hash<std::string_view>{}(other_route);
  other_ = find_or_insert(other_route, hash);
}

Metrics::~Metrics() = default;

Metrics::RouteSeries* Metrics::find_or_insert(std::string_view route, std::size_t hash) {
  const std::lock_guard lock(insert_mutex_);
  std::size_t slot = hash & (table_size - 1);
  for (;; slot = (slot + 1) & (table_size - 1)) {
    RouteSeries* series = table_[slot].load(std::memory_order_acquire);
    if (series == nullptr) break;
    if (series->hash == hash && series->name == route) return series;
  }
  // Bounded label set: a config that keeps inventing route names (or a bug) must not grow memory forever.
  if (owned_.size() > max_routes) return other_;
  owned_.push_back(std::make_unique<RouteSeries>(route, hash));
  table_[slot].store(owned_.back().get(), std::memory_order_release);
  return owned_.back().get();
}

Metrics::RouteSeries& Metrics::route_series(std::string_view route) noexcept {
  const std::size_t hash = std::hash<std::string_view>{}(route);
  for (std::size_t i = 0, slot = hash; i < table_size; ++i, ++slot) {
    RouteSeries* series = table_[slot & (table_size - 1)].load(std::memory_order_acquire);
    if (series == nullptr) break;
    if (series->hash == hash && series->name == route) return *series;
  }
  try {
    return *find_or_insert(route, hash);
  } catch (...) {  // allocation or mutex failure: counting must never fail a request
    return *other_;
  }
}

void Metrics::record(const RequestRecord& record) noexcept {
  RouteSeries& series = route_series(record.route);
  const bool known = record.status >= min_status && record.status <= max_status;
  series.by_status[known ? static_cast<std::size_t>(record.status - min_status + 1) : 0].fetch_add(1,
                                                                                                   relaxed);
  outcomes_[static_cast<std::uint8_t>(record.reason)].fetch_add(1, relaxed);
  if (record.cache_hit) {
    cache_hits_.fetch_add(1, relaxed);
  } else if (record.cache_lookup) {
    cache_misses_.fetch_add(1, relaxed);
  }
  request_duration_.observe(record.total_time);
  series.duration.observe(record.total_time);
  if (record.upstream_time.count() > 0) upstream_duration_.observe(record.upstream_time);
  if (!record.throttled_by.empty()) {
    (record.throttled_by == "user" ? throttled_users_ : throttled_addresses_).fetch_add(1, relaxed);
  }
}

void Metrics::connection_opened() noexcept {
  connections_open_.fetch_add(1, relaxed);
  connections_total_.fetch_add(1, relaxed);
}

void Metrics::tunnel_opened() noexcept { tunnels_.fetch_add(1, relaxed); }

void Metrics::connection_closed() noexcept { connections_open_.fetch_sub(1, relaxed); }

void Metrics::connection_refused(ConnectionRefusal why) noexcept {
  refused_[static_cast<std::size_t>(why) % refused_.size()].fetch_add(1, relaxed);
}

void Metrics::set_config_generation(std::uint64_t generation) noexcept {
  config_generation_.store(generation, relaxed);
}

void Metrics::count_config_reload(bool ok) noexcept {
  (ok ? reloads_ok_ : reloads_error_).fetch_add(1, relaxed);
}

void Metrics::set_certificate_expiry(std::vector<std::pair<std::string, std::int64_t>> by_listener) {
  std::sort(by_listener.begin(), by_listener.end());
  const std::lock_guard lock(certificates_mutex_);
  certificate_expiry_ = std::move(by_listener);
}

void Metrics::set_worker_queue_depth(std::uint64_t depth) noexcept {
  worker_queue_depth_.store(depth, relaxed);
}

void Metrics::count_hash_refused(HashRefusal why) noexcept {
  (why == HashRefusal::wait ? hash_refused_wait_ : hash_refused_full_).fetch_add(1, relaxed);
}

void Metrics::set_hash_mean_time(std::chrono::microseconds mean) noexcept {
  hash_mean_us_.store(static_cast<std::uint64_t>(std::max<std::int64_t>(mean.count(), 0)), relaxed);
}

void Metrics::set_access_log_dropped(std::uint64_t lines) noexcept {
  access_log_dropped_.store(lines, relaxed);
}

void Metrics::set_state_store_up(bool up) noexcept { state_store_up_.store(up ? 1 : 0, relaxed); }

std::uint64_t Metrics::config_generation() const noexcept { return config_generation_.load(relaxed); }

void Metrics::render_requests(std::string& out) const {
  std::vector<const RouteSeries*> series;
  {
    const std::lock_guard lock(insert_mutex_);
    series.reserve(owned_.size());
    for (const auto& s : owned_) series.push_back(s.get());
  }
  std::sort(series.begin(), series.end(), [](auto* a, auto* b) { return a->name < b->name; });
  constexpr std::string_view family = "authgate_requests_total";
  // `code`, as promhttp and Traefik name the status label, so dashboards made for them work here.
  append_family(out, family, "counter", "Requests answered, by matched route and status code.");
  for (const RouteSeries* s : series) {
    for (std::size_t i = 0; i < s->by_status.size(); ++i) {
      const std::uint64_t count = s->by_status[i].load(relaxed);
      if (count == 0) continue;
      std::string labels = "route=\"";
      append_label_value(labels, s->name);
      labels.append("\",code=\"");
      append_int(labels, i == 0 ? 0 : static_cast<int>(i) + min_status - 1);
      labels.push_back('"');
      append_sample(out, family, labels, count);
    }
  }
  constexpr std::string_view histogram = "authgate_route_request_duration_seconds";
  append_family(out, histogram, "histogram",
                "Time from a complete request head to the last response byte, by matched route.");
  for (const RouteSeries* s : series) {
    if (s->duration.count() == 0) continue;
    std::string labels = "route=\"";
    append_label_value(labels, s->name);
    labels.push_back('"');
    s->duration.render(out, histogram, labels);
  }
}

void Metrics::render_outcomes(std::string& out) const {
  constexpr std::string_view family = "authgate_auth_outcomes_total";
  append_family(out, family, "counter", "Requests by the reason of their answer (authentication outcome).");
  for (std::size_t i = 0; i < reason_slots; ++i) {
    const std::string_view name = to_string(static_cast<Reason>(i));
    if (name == "unknown") continue;  // not an enumerator
    append_sample(out, family, "reason=\"" + std::string(name) + "\"", outcomes_[i].load(relaxed));
  }
  constexpr std::string_view cache_family = "authgate_verify_cache_total";
  append_family(out, cache_family, "counter", "Verified-credential cache lookups, by result.");
  append_sample(out, cache_family, "result=\"hit\"", cache_hits_.load(relaxed));
  append_sample(out, cache_family, "result=\"miss\"", cache_misses_.load(relaxed));
}

void Metrics::render_scalars(std::string& out) const {
  append_family(out, "authgate_connections_open", "gauge", "Client connections open now.");
  const std::int64_t open = connections_open_.load(relaxed);
  out.append("authgate_connections_open ");
  append_int(out, open);
  out.push_back('\n');
  append_family(
      out, "authgate_socket_records_bytes", "gauge",
      "Memory Asio keeps for reuse: one record per socket open at once at the busiest moment so far.");
  append_sample(out, "authgate_socket_records_bytes", "", net::socket_record_bytes());
  append_family(out, "authgate_connections_total", "counter", "Client connections accepted.");
  append_sample(out, "authgate_connections_total", "", connections_total_.load(relaxed));
  append_family(out, "authgate_connections_refused_total", "counter",
                "Client connections closed at accept, by the per-address limit they met.");
  for (const auto why : {ConnectionRefusal::address, ConnectionRefusal::pending_heads}) {
    const std::string label = "why=\"" + std::string(to_string(why)) + "\"";
    append_sample(out, "authgate_connections_refused_total", label,
                  refused_[static_cast<std::size_t>(why)].load(relaxed));
  }
  append_family(out, "authgate_connections_evicted_total", "counter",
                "Idle or slow-head connections closed at max_connections to make room for new ones.");
  append_sample(out, "authgate_connections_evicted_total", "", evicted_.load(relaxed));
  append_family(out, "authgate_accept_paused_total", "counter",
                "Times accepting paused at max_connections with nothing to close for room; new connections "
                "wait in the listen backlog.");
  append_sample(out, "authgate_accept_paused_total", "", accept_paused_.load(relaxed));
  append_family(out, "authgate_config_generation", "gauge", "Generation of the config snapshot serving now.");
  append_sample(out, "authgate_config_generation", "", config_generation_.load(relaxed));
  append_family(out, "authgate_config_reload_total", "counter", "Config reload attempts, by result.");
  append_sample(out, "authgate_config_reload_total", "result=\"ok\"", reloads_ok_.load(relaxed));
  append_sample(out, "authgate_config_reload_total", "result=\"error\"", reloads_error_.load(relaxed));
  append_family(out, "authgate_config_last_reload_success_timestamp_seconds", "gauge",
                "When the config now serving was loaded (start or last successful reload), unix seconds.");
  append_sample(out, "authgate_config_last_reload_success_timestamp_seconds", "",
                last_reload_success_.load(relaxed));
  append_family(out, "authgate_tls_certificate_expiry_timestamp_seconds", "gauge",
                "When each TLS listener's certificate expires (notAfter), unix seconds.");
  {
    const std::lock_guard lock(certificates_mutex_);
    for (const auto& [listener, expiry] : certificate_expiry_) {
      std::string labels = "listener=\"";
      append_label_value(labels, listener);
      labels.push_back('"');
      append_sample(out, "authgate_tls_certificate_expiry_timestamp_seconds", labels, expiry);
    }
  }
  append_family(out, "authgate_proxy_tunnels_total", "counter", "CONNECT tunnels a forward proxy opened.");
  append_sample(out, "authgate_proxy_tunnels_total", "", tunnels_.load(relaxed));
  append_family(out, "authgate_throttled_total", "counter",
                "Requests answered 429 by brute-force throttling, by the banned key.");
  append_sample(out, "authgate_throttled_total", "by=\"user\"", throttled_users_.load(relaxed));
  append_sample(out, "authgate_throttled_total", "by=\"address\"", throttled_addresses_.load(relaxed));
  append_family(out, "authgate_state_store_up", "gauge",
                "1 when the state store (throttling counters, Digest nonce counts) is usable, else 0.");
  append_sample(out, "authgate_state_store_up", "", state_store_up_.load(relaxed));
  append_family(out, "authgate_worker_queue_depth", "gauge", "Password verifications waiting for a worker.");
  append_sample(out, "authgate_worker_queue_depth", "", worker_queue_depth_.load(relaxed));
  append_family(out, "authgate_hash_queue_refused_total", "counter",
                "Password verifications answered 503, by why: the expected wait or the count bound.");
  append_sample(out, "authgate_hash_queue_refused_total", "why=\"wait\"", hash_refused_wait_.load(relaxed));
  append_sample(out, "authgate_hash_queue_refused_total", "why=\"full\"", hash_refused_full_.load(relaxed));
  append_family(out, "authgate_hash_mean_seconds", "gauge",
                "Measured mean time of one password verification on a worker (smoothed).");
  out.append("authgate_hash_mean_seconds ");
  append_seconds(out, hash_mean_us_.load(relaxed));
  out.push_back('\n');
  append_family(out, "authgate_access_log_dropped_lines_total", "counter",
                "Access-log lines dropped because the writer fell behind or a write failed.");
  append_sample(out, "authgate_access_log_dropped_lines_total", "", access_log_dropped_.load(relaxed));
  append_family(out, "authgate_build_info", "gauge", "Always 1; the label carries the authgate version.");
  std::string labels = "version=\"";
  append_label_value(labels, version_);
  labels.push_back('"');
  append_sample(out, "authgate_build_info", labels, 1);
}

std::string Metrics::render_prometheus() const {
  std::string out;
  out.reserve(8192);
  render_requests(out);
  render_outcomes(out);
  append_family(out, "authgate_request_duration_seconds", "histogram",
                "Time from a complete request head to the last response byte.");
  request_duration_.render(out, "authgate_request_duration_seconds");
  append_family(out, "authgate_upstream_duration_seconds", "histogram",
                "Time from sending a request upstream to receiving the response head.");
  upstream_duration_.render(out, "authgate_upstream_duration_seconds");
  render_scalars(out);
  key_sources_.render(out);
  return out;
}

}  // namespace authgate::gateway
