#include "gateway/ops/metrics.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "authgate/reason.hpp"
#include "net/socket_records.hpp"

namespace authgate::gateway {
namespace {

using std::chrono::microseconds;

RequestRecord make_record(std::string_view route, int status, Reason reason,
                          microseconds total = microseconds{0}) {
  RequestRecord record;
  record.route = route;
  record.status = status;
  record.reason = reason;
  record.total_time = total;
  return record;
}

/// The value of the sample whose series (name and labels) is exactly `series`, or -1 when absent.
long long sample(const std::string& text, std::string_view series) {
  const std::string needle = "\n" + std::string(series) + " ";
  const std::size_t at = ("\n" + text).find(needle);
  if (at == std::string::npos) return -1;
  return std::atoll(text.c_str() + at + needle.size() - 1);
}

// Every reason, zero except the ones listed: the enum may grow, the rest of the golden text may not change.
std::string reason_block(const std::vector<std::pair<Reason, int>>& counts) {
  std::string out =
      "# HELP authgate_auth_outcomes_total Requests by the reason of their answer (authentication outcome).\n"
      "# TYPE authgate_auth_outcomes_total counter\n";
  for (int i = 0; i < 256; ++i) {
    const std::string_view name = to_string(static_cast<Reason>(i));
    if (name == "unknown") continue;
    int value = 0;
    for (const auto& [reason, count] : counts) {
      if (static_cast<int>(reason) == i) value = count;
    }
    out +=
        "authgate_auth_outcomes_total{reason=\"" + std::string(name) + "\"} " + std::to_string(value) + "\n";
  }
  return out;
}

/// The samples of one labelled histogram series (no HELP/TYPE): `labels` e.g. `route="private"`.
std::string histogram_series(std::string_view name, std::string_view labels,
                             const std::vector<int>& cumulative, std::string_view sum) {
  static const char* const kLe[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                    "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "30",   "+Inf"};
  const std::string n(name);
  const std::string l(labels);
  std::string out;
  for (std::size_t i = 0; i < 16; ++i) {
    out += n + "_bucket{" + l + ",le=\"" + kLe[i] + "\"} " + std::to_string(cumulative[i]) + "\n";
  }
  out += n + "_sum{" + l + "} " + std::string(sum) + "\n" + n + "_count{" + l + "} " +
         std::to_string(cumulative[15]) + "\n";
  return out;
}

std::string histogram_block(std::string_view name, std::string_view help, const std::vector<int>& cumulative,
                            std::string_view sum) {
  static const char* const kLe[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                    "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "30",   "+Inf"};
  std::string n(name);
  std::string out = "# HELP " + n + " " + std::string(help) + "\n# TYPE " + n + " histogram\n";
  for (std::size_t i = 0; i < 16; ++i) {
    out += n + "_bucket{le=\"" + kLe[i] + "\"} " + std::to_string(cumulative[i]) + "\n";
  }
  out += n + "_sum " + std::string(sum) + "\n" + n + "_count " + std::to_string(cumulative[15]) + "\n";
  return out;
}

TEST(Metrics, RendersASmallScenarioExactly) {
  Metrics metrics("1.2.3");
  RequestRecord ok = make_record("private", 200, Reason::ok, microseconds{1'500});
  ok.cache_lookup = true;
  ok.cache_hit = true;
  ok.upstream_time = microseconds{800};
  metrics.record(ok);
  RequestRecord denied = make_record("private", 401, Reason::wrong_password, microseconds{40'000});
  denied.cache_lookup = true;
  metrics.record(denied);
  metrics.record(make_record("private", 401, Reason::no_credentials, microseconds{100}));
  metrics.record(make_record("", 404, Reason::route_not_found, microseconds{100}));
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  metrics.connection_refused(ConnectionRefusal::address);
  metrics.set_config_generation(3);
  metrics.count_config_reload(true);
  metrics.count_config_reload(false);
  metrics.set_worker_queue_depth(5);
  metrics.set_access_log_dropped(7);
  metrics.set_last_reload_success(1'700'000'000);
  metrics.set_certificate_expiry({{"secure", 1'800'000'000}, {"admin \"tls\"", 1'750'000'000}});

  const std::string expected =
      "# HELP authgate_requests_total Requests answered, by matched route and status code.\n"
      "# TYPE authgate_requests_total counter\n"
      "authgate_requests_total{route=\"\",code=\"404\"} 1\n"
      "authgate_requests_total{route=\"private\",code=\"200\"} 1\n"
      "authgate_requests_total{route=\"private\",code=\"401\"} 2\n"
      "# HELP authgate_route_request_duration_seconds Time from a complete request head to the last response "
      "byte, by matched route.\n"
      "# TYPE authgate_route_request_duration_seconds histogram\n" +
      histogram_series("authgate_route_request_duration_seconds", "route=\"\"",
                       {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, "0.0001") +
      histogram_series("authgate_route_request_duration_seconds", "route=\"private\"",
                       {1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3}, "0.0416") +
      reason_block({{Reason::ok, 1},
                    {Reason::wrong_password, 1},
                    {Reason::no_credentials, 1},
                    {Reason::route_not_found, 1}}) +
      "# HELP authgate_verify_cache_total Verified-credential cache lookups, by result.\n"
      "# TYPE authgate_verify_cache_total counter\n"
      "authgate_verify_cache_total{result=\"hit\"} 1\n"
      "authgate_verify_cache_total{result=\"miss\"} 1\n" +
      histogram_block("authgate_request_duration_seconds",
                      "Time from a complete request head to the last response byte.",
                      {2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, "0.0417") +
      histogram_block("authgate_upstream_duration_seconds",
                      "Time from sending a request upstream to receiving the response head.",
                      {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, "0.0008") +
      "# HELP authgate_connections_open Client connections open now.\n"
      "# TYPE authgate_connections_open gauge\n"
      "authgate_connections_open 1\n"
      "# HELP authgate_socket_records_bytes Memory Asio keeps for reuse: one record per socket open at once "
      "at the busiest moment so far.\n"
      "# TYPE authgate_socket_records_bytes gauge\n"
      "authgate_socket_records_bytes " +
      std::to_string(net::socket_record_bytes()) +
      "\n"
      "# HELP authgate_connections_total Client connections accepted.\n"
      "# TYPE authgate_connections_total counter\n"
      "authgate_connections_total 2\n"
      "# HELP authgate_connections_refused_total Client connections closed at accept, by the per-address "
      "limit they met.\n"
      "# TYPE authgate_connections_refused_total counter\n"
      "authgate_connections_refused_total{why=\"per_address\"} 1\n"
      "authgate_connections_refused_total{why=\"pending_heads\"} 0\n"
      "# HELP authgate_connections_evicted_total Idle or slow-head connections closed at max_connections to "
      "make "
      "room for new ones.\n"
      "# TYPE authgate_connections_evicted_total counter\n"
      "authgate_connections_evicted_total 0\n"
      "# HELP authgate_accept_paused_total Times accepting paused at max_connections with nothing to close "
      "for room; new connections wait in the listen backlog.\n"
      "# TYPE authgate_accept_paused_total counter\n"
      "authgate_accept_paused_total 0\n"
      "# HELP authgate_config_generation Generation of the config snapshot serving now.\n"
      "# TYPE authgate_config_generation gauge\n"
      "authgate_config_generation 3\n"
      "# HELP authgate_config_reload_total Config reload attempts, by result.\n"
      "# TYPE authgate_config_reload_total counter\n"
      "authgate_config_reload_total{result=\"ok\"} 1\n"
      "authgate_config_reload_total{result=\"error\"} 1\n"
      "# HELP authgate_config_last_reload_success_timestamp_seconds When the config now serving was loaded "
      "(start or last successful reload), unix seconds.\n"
      "# TYPE authgate_config_last_reload_success_timestamp_seconds gauge\n"
      "authgate_config_last_reload_success_timestamp_seconds 1700000000\n"
      "# HELP authgate_tls_certificate_expiry_timestamp_seconds When each TLS listener's certificate expires "
      "(notAfter), unix seconds.\n"
      "# TYPE authgate_tls_certificate_expiry_timestamp_seconds gauge\n"
      "authgate_tls_certificate_expiry_timestamp_seconds{listener=\"admin \\\"tls\\\"\"} 1750000000\n"
      "authgate_tls_certificate_expiry_timestamp_seconds{listener=\"secure\"} 1800000000\n"
      "# HELP authgate_proxy_tunnels_total CONNECT tunnels a forward proxy opened.\n"
      "# TYPE authgate_proxy_tunnels_total counter\n"
      "authgate_proxy_tunnels_total 0\n"
      "# HELP authgate_throttled_total Requests answered 429 by brute-force throttling, by the banned key.\n"
      "# TYPE authgate_throttled_total counter\n"
      "authgate_throttled_total{by=\"user\"} 0\n"
      "authgate_throttled_total{by=\"address\"} 0\n"
      "# HELP authgate_state_store_up 1 when the state store (throttling counters, Digest nonce counts) is "
      "usable, else 0.\n"
      "# TYPE authgate_state_store_up gauge\n"
      "authgate_state_store_up 1\n"
      "# HELP authgate_worker_queue_depth Password verifications waiting for a worker.\n"
      "# TYPE authgate_worker_queue_depth gauge\n"
      "authgate_worker_queue_depth 5\n"
      "# HELP authgate_hash_queue_refused_total Password verifications answered 503, by why: the expected "
      "wait or the count bound.\n"
      "# TYPE authgate_hash_queue_refused_total counter\n"
      "authgate_hash_queue_refused_total{why=\"wait\"} 0\n"
      "authgate_hash_queue_refused_total{why=\"full\"} 0\n"
      "# HELP authgate_hash_mean_seconds Measured mean time of one password verification on a worker "
      "(smoothed).\n"
      "# TYPE authgate_hash_mean_seconds gauge\n"
      "authgate_hash_mean_seconds 0\n"
      "# HELP authgate_access_log_dropped_lines_total Access-log lines dropped because the writer fell "
      "behind "
      "or a write failed.\n"
      "# TYPE authgate_access_log_dropped_lines_total counter\n"
      "authgate_access_log_dropped_lines_total 7\n"
      "# HELP authgate_build_info Always 1; the label carries the authgate version.\n"
      "# TYPE authgate_build_info gauge\n"
      "authgate_build_info{version=\"1.2.3\"} 1\n"
      "# HELP authgate_jwks_fetch_total Remote JWKS refreshes (discovery + JWKS + parse), by realm and "
      "result.\n"
      "# TYPE authgate_jwks_fetch_total counter\n"
      "# HELP authgate_jwks_keys Keys in force for a remote-key realm (the last good set).\n"
      "# TYPE authgate_jwks_keys gauge\n";
  EXPECT_EQ(metrics.render_prometheus(), expected);
  EXPECT_EQ(metrics.config_generation(), 3u);
}

struct EscapeCase {
  const char* name;
  std::string input;
  std::string expected;
  const char* why;
};

TEST(Metrics, EscapesLabelValuesAsTheTextFormatRequires) {
  const std::vector<EscapeCase> cases = {
      {"plain", "api-v2_x.y", "api-v2_x.y", "ordinary route names pass unchanged"},
      {"quote", "a\"b", "a\\\"b", "a quote would end the label value"},
      {"backslash", "a\\b", "a\\\\b", "the escape character escapes itself"},
      {"newline", "a\nb", "a\\nb", "a line feed would end the sample line"},
      {"utf8", "caf\xc3\xa9", "caf\xc3\xa9", "label values are UTF-8; no escaping needed"},
      {"tab", "a\tb", "a\tb", "only \\, \" and line feed are escaped by format 0.0.4"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_label_value(out, c.input);
    EXPECT_EQ(out, c.expected) << c.name << ": " << c.why;

    Metrics metrics("v\"1");
    metrics.record(make_record(c.input, 200, Reason::ok));
    const std::string text = metrics.render_prometheus();
    EXPECT_NE(text.find("authgate_requests_total{route=\"" + c.expected + "\",code=\"200\"} 1\n"),
              std::string::npos)
        << c.name << ": " << c.why;
    EXPECT_NE(text.find("authgate_build_info{version=\"v\\\"1\"} 1\n"), std::string::npos);
  }
}

struct BucketCase {
  const char* name;
  long long value_us;
  const char* first_le;  // the smallest bucket that counts the value
  const char* why;
};

TEST(LatencyHistogram, PutsEachValueInTheSmallestBucketWhoseBoundIsNotBelowIt) {
  const std::vector<BucketCase> cases = {
      {"zero", 0, "0.0005", "the first bucket holds everything up to its bound"},
      {"negative", -5, "0.0005", "a clock step backwards counts as zero, never underflows"},
      {"on a bound", 500, "0.0005", "le means less than or equal"},
      {"just above a bound", 501, "0.001", "one microsecond more is the next bucket"},
      {"middle", 42'000, "0.05", "42 ms is above 25 ms and not above 50 ms"},
      {"last bound", 30'000'000, "30", "30 s is the largest finite bound"},
      {"beyond", 30'000'001, "+Inf", "everything larger is only in +Inf"},
  };
  static const char* const kLe[] = {"0.0005", "0.001", "0.0025", "0.005", "0.01", "0.025", "0.05", "0.1",
                                    "0.25",   "0.5",   "1",      "2.5",   "5",    "10",    "30",   "+Inf"};
  for (const auto& c : cases) {
    LatencyHistogram histogram;
    histogram.observe(microseconds{c.value_us});
    std::string text;
    histogram.render(text, "h");
    bool reached = false;
    for (const char* le : kLe) {
      reached = reached || std::string_view(le) == c.first_le;
      EXPECT_EQ(sample(text, "h_bucket{le=\"" + std::string(le) + "\"}"), reached ? 1 : 0)
          << c.name << " le=" << le << ": " << c.why;
    }
    EXPECT_EQ(sample(text, "h_count"), 1) << c.name;
  }
}

TEST(LatencyHistogram, SumsInExactDecimalSeconds) {
  LatencyHistogram histogram;
  for (const long long us : {1, 250'000, 1'000'000, 2'000'000}) histogram.observe(microseconds{us});
  std::string text;
  histogram.render(text, "h");
  EXPECT_NE(text.find("\nh_sum 3.250001\n"), std::string::npos) << text;
  EXPECT_EQ(sample(text, "h_bucket{le=\"0.25\"}"), 2) << "buckets are cumulative";
  EXPECT_EQ(sample(text, "h_bucket{le=\"1\"}"), 3);
  EXPECT_EQ(sample(text, "h_bucket{le=\"+Inf\"}"), 4);
}

TEST(Metrics, CountsStatusesOutsideHttpRangeAsZero) {
  Metrics metrics("x");
  metrics.record(make_record("r", 0, Reason::request_timeout));
  metrics.record(make_record("r", 600, Reason::internal_error));
  metrics.record(make_record("r", 99, Reason::internal_error));
  EXPECT_EQ(sample(metrics.render_prometheus(), "authgate_requests_total{route=\"r\",code=\"0\"}"), 3);
}

TEST(Metrics, ObservesUpstreamTimeOnlyForRequestsThatReachedAnUpstream) {
  Metrics metrics("x");
  metrics.record(make_record("r", 401, Reason::no_credentials, microseconds{10}));
  RequestRecord proxied = make_record("r", 200, Reason::ok, microseconds{10});
  proxied.upstream_time = microseconds{7};
  metrics.record(proxied);
  const std::string text = metrics.render_prometheus();
  EXPECT_EQ(sample(text, "authgate_request_duration_seconds_count"), 2);
  EXPECT_EQ(sample(text, "authgate_upstream_duration_seconds_count"), 1);
}

TEST(Metrics, CountsNoCacheResultWhenTheCacheWasNotConsulted) {
  Metrics metrics("x");
  metrics.record(make_record("r", 401, Reason::no_credentials));
  const std::string text = metrics.render_prometheus();
  EXPECT_EQ(sample(text, "authgate_verify_cache_total{result=\"hit\"}"), 0);
  EXPECT_EQ(sample(text, "authgate_verify_cache_total{result=\"miss\"}"), 0);
}

TEST(Metrics, BoundsDistinctRouteLabelsAndCountsTheRestAsOther) {
  Metrics metrics("x");
  const std::size_t extra = 50;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < Metrics::max_routes + extra; ++i) names.push_back("route-" + std::to_string(i));
  for (const auto& name : names) metrics.record(make_record(name, 200, Reason::ok));
  const std::string text = metrics.render_prometheus();
  std::size_t series = 0;
  for (std::size_t at = 0; (at = text.find("\nauthgate_requests_total{", at)) != std::string::npos; ++at)
    ++series;
  EXPECT_EQ(series, Metrics::max_routes + 1) << "max_routes names plus \"other\"";
  EXPECT_EQ(sample(text, "authgate_requests_total{route=\"other\",code=\"200\"}"),
            static_cast<long long>(extra));
  EXPECT_EQ(sample(text, "authgate_requests_total{route=\"route-0\",code=\"200\"}"), 1);
  metrics.record(make_record("route-0", 200, Reason::ok));
  EXPECT_EQ(sample(metrics.render_prometheus(), "authgate_requests_total{route=\"route-0\",code=\"200\"}"), 2)
      << "names seen before the cap keep their own series";
}

TEST(Metrics, ConcurrentRecordsAreAllCountedWhileRendering) {
  Metrics metrics("x");
  constexpr int kThreads = 8;
  constexpr int kRecords = 20'000;
  const std::string routes[] = {"a", "b", "c"};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRecords; ++i) {
        RequestRecord record = make_record(routes[(t + i) % 3], 200, Reason::ok, microseconds{i % 3000});
        metrics.record(record);
        if (i % 100 == 0) metrics.connection_opened();
      }
    });
  }
  for (int i = 0; i < 20; ++i) {
    const std::string text = metrics.render_prometheus();  // must stay consistent under concurrent writes
    EXPECT_EQ(sample(text, "authgate_request_duration_seconds_count"),
              sample(text, "authgate_request_duration_seconds_bucket{le=\"+Inf\"}"));
  }
  for (auto& thread : threads) thread.join();
  const std::string text = metrics.render_prometheus();
  long long total = 0;
  for (const auto& route : routes) {
    total += sample(text, "authgate_requests_total{route=\"" + route + "\",code=\"200\"}");
  }
  EXPECT_EQ(total, kThreads * kRecords);
  EXPECT_EQ(sample(text, "authgate_auth_outcomes_total{reason=\"ok\"}"), kThreads * kRecords);
  EXPECT_EQ(sample(text, "authgate_request_duration_seconds_count"), kThreads * kRecords);
  EXPECT_EQ(sample(text, "authgate_connections_total"), kThreads * kRecords / 100);
}

TEST(Metrics, KeySourcesArePerRealm) {
  Metrics metrics("1");
  metrics.key_sources().count_fetch("api", true);
  metrics.key_sources().count_fetch("api", false);
  metrics.key_sources().count_fetch("api", false);
  metrics.key_sources().set_keys("api", 3);
  const std::string text = metrics.render_prometheus();
  EXPECT_NE(text.find("authgate_jwks_fetch_total{realm=\"api\",result=\"ok\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("authgate_jwks_fetch_total{realm=\"api\",result=\"error\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("authgate_jwks_keys{realm=\"api\"} 3\n"), std::string::npos);
}

}  // namespace
}  // namespace authgate::gateway
