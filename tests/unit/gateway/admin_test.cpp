#include "gateway/ops/admin.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Response = http::response<http::string_body>;
using namespace std::chrono_literals;

/// A real admin listener on 127.0.0.1:<free port>, run by its own thread, and a Beast client with deadlines.
class AdminListener : public ::testing::Test {
 protected:
  void start(AdminLimits limits = {}) {
    metrics_ = std::make_shared<Metrics>("9.9.9");
    metrics_->set_config_generation(7);
    AdminContext context{metrics_, [this] { return probe(); }, limits, [this] { return store_health(); }};
    std::error_code ec;
    server_ = AdminServer::open(server_ioc_.get_executor(), {asio::ip::make_address("127.0.0.1"), 0},
                                std::move(context), ec);
    ASSERT_FALSE(ec) << ec.message();
    stopped_ = std::async(std::launch::async, [this] { server_ioc_.run(); });
  }

  /// Stops the server; its thread must end on its own (no session may keep the io_context busy).
  bool stop_server() {
    server_->stop();
    const bool ended = stopped_.wait_for(3s) == std::future_status::ready;
    if (!ended) server_ioc_.stop();
    stopped_.get();
    return ended;
  }

  void TearDown() override {
    if (stopped_.valid()) {
      EXPECT_TRUE(stop_server()) << "stop() left the admin io_context busy";
    }
  }

  beast::tcp_stream connect() {
    beast::tcp_stream stream(client_ioc_);
    stream.socket().connect(server_->local_endpoint());
    return stream;
  }

  /// Runs the client io_context until the pending operation completes (each has a 5 s deadline).
  void run_client() {
    client_ioc_.restart();
    client_ioc_.run();
  }

  void send(beast::tcp_stream& stream, std::string_view raw) {
    stream.expires_after(5s);
    asio::async_write(stream, asio::buffer(raw), [](beast::error_code ec, std::size_t) { ASSERT_FALSE(ec); });
    run_client();
  }

  void send(beast::tcp_stream& stream, http::verb method, std::string_view target) {
    http::request<http::empty_body> request{method, target, 11};
    request.set(http::field::host, "localhost");
    stream.expires_after(5s);
    http::async_write(stream, request, [](beast::error_code ec, std::size_t) { ASSERT_FALSE(ec); });
    run_client();
  }

  Response receive(beast::tcp_stream& stream, beast::error_code& ec, bool head = false) {
    http::response_parser<http::string_body> parser;
    parser.skip(head);  // a response to HEAD has no body whatever its Content-Length says
    stream.expires_after(5s);
    http::async_read(stream, buffer_, parser, [&](beast::error_code e, std::size_t) { ec = e; });
    run_client();
    return parser.release();
  }

  Response exchange(beast::tcp_stream& stream, http::verb method, std::string_view target) {
    send(stream, method, target);
    beast::error_code ec;
    Response response = receive(stream, ec, method == http::verb::head);
    EXPECT_FALSE(ec) << ec.message();
    return response;
  }

  /// True when the server closed the connection (within the client's deadline) instead of answering.
  bool closed_by_server(beast::tcp_stream& stream) {
    beast::error_code ec;
    receive(stream, ec);
    return ec == http::error::end_of_stream || ec == asio::error::connection_reset;
  }

  bool probe() {
    if (probe_throws_) throw std::runtime_error("probe failed");
    return ready_.load();
  }

  StateStoreHealth store_health() {
    const std::lock_guard lock(store_mutex_);
    return store_;
  }
  void set_store(StateStoreHealth health) {
    const std::lock_guard lock(store_mutex_);
    store_ = std::move(health);
  }

  asio::io_context server_ioc_;
  asio::io_context client_ioc_;
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<AdminServer> server_;
  std::future<void> stopped_;
  beast::flat_buffer buffer_;
  std::atomic<bool> ready_{false};
  std::atomic<bool> probe_throws_{false};
  std::mutex store_mutex_;
  StateStoreHealth store_;  // guarded by store_mutex_
};

struct EndpointCase {
  const char* name;
  http::verb method;
  const char* target;
  http::status status;
  const char* body_part;
  const char* why;
};

TEST_F(AdminListener, ServesTheThreeEndpointsAndNothingElseOnOneKeepAliveConnection) {
  start();
  const std::vector<EndpointCase> cases = {
      {"metrics", http::verb::get, "/metrics", http::status::ok, "authgate_build_info{version=\"9.9.9\"} 1",
       "Prometheus scrapes this"},
      {"metrics with query", http::verb::get, "/metrics?name[]=x", http::status::ok, "# TYPE",
       "scrapers may add parameters; the path decides"},
      {"healthz", http::verb::get, "/healthz", http::status::ok, "ok\n", "liveness needs no config"},
      {"readyz not ready", http::verb::get, "/readyz", http::status::service_unavailable, "not ready\n",
       "the probe said no"},
      {"unknown path", http::verb::get, "/", http::status::not_found, "not found\n",
       "nothing else is served"},
      {"prefix is not a match", http::verb::get, "/metrics/x", http::status::not_found, "not found\n",
       "paths match exactly"},
      {"post", http::verb::post, "/metrics", http::status::method_not_allowed, "method not allowed\n",
       "read-only endpoints"},
      {"delete", http::verb::delete_, "/healthz", http::status::method_not_allowed, "",
       "read-only endpoints"},
  };
  beast::tcp_stream stream = connect();
  for (const auto& c : cases) {
    const Response response = exchange(stream, c.method, c.target);
    EXPECT_EQ(response.result(), c.status) << c.name << ": " << c.why;
    EXPECT_NE(response.body().find(c.body_part), std::string::npos) << c.name << ": " << response.body();
    EXPECT_TRUE(response.keep_alive()) << c.name;
    if (c.status == http::status::method_not_allowed) {
      EXPECT_EQ(response[http::field::allow], "GET, HEAD") << c.name;
    }
  }
}

TEST_F(AdminListener, MetricsUseThePrometheusTextContentType) {
  start();
  beast::tcp_stream stream = connect();
  const Response response = exchange(stream, http::verb::get, "/metrics");
  EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& body = response.body();
  const std::string gateway = metrics_->render_prometheus();
  EXPECT_EQ(body.substr(0, gateway.size()), gateway) << "the gateway's families, then the process ones";
  EXPECT_NE(body.find("\n# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes "),
            std::string::npos);
  EXPECT_NE(body.find("\n# TYPE process_open_fds gauge\nprocess_open_fds "), std::string::npos);
}

TEST_F(AdminListener, HealthzCarriesTheConfigGeneration) {
  start();
  beast::tcp_stream stream = connect();
  EXPECT_EQ(exchange(stream, http::verb::get, "/healthz")["X-Config-Generation"], "7");
  metrics_->set_config_generation(8);
  EXPECT_EQ(exchange(stream, http::verb::get, "/healthz")["X-Config-Generation"], "8");
}

TEST_F(AdminListener, ReadyzFollowsTheProbeAndSurvivesAThrowingOne) {
  start();
  beast::tcp_stream stream = connect();
  EXPECT_EQ(exchange(stream, http::verb::get, "/readyz").result(), http::status::service_unavailable);
  ready_ = true;
  EXPECT_EQ(exchange(stream, http::verb::get, "/readyz").result(), http::status::ok);
  probe_throws_ = true;
  EXPECT_EQ(exchange(stream, http::verb::get, "/readyz").result(), http::status::internal_server_error);
  EXPECT_EQ(exchange(stream, http::verb::get, "/healthz").result(), http::status::ok) << "still serving";
}

TEST_F(AdminListener, ReadyzIsServiceUnavailableWhileTheStateStoreIsDownAndSaysWhy) {
  start();
  ready_ = true;
  beast::tcp_stream stream = connect();
  set_store({false, "redis down: connection refused"});
  const Response down = exchange(stream, http::verb::get, "/readyz");
  EXPECT_EQ(down.result(), http::status::service_unavailable) << "Digest would answer 503: route around it";
  EXPECT_EQ(down.body(), "not ready: state store redis down: connection refused\n");
  set_store({true, "redis connected"});
  const Response up = exchange(stream, http::verb::get, "/readyz");
  EXPECT_EQ(up.result(), http::status::ok);
  EXPECT_EQ(up.body(), "ready\n");
}

TEST_F(AdminListener, HeadGetsTheGetHeadersAndNoBody) {
  start();
  beast::tcp_stream stream = connect();
  const Response get = exchange(stream, http::verb::get, "/healthz");
  const Response head = exchange(stream, http::verb::head, "/healthz");
  EXPECT_EQ(head.result(), http::status::ok);
  EXPECT_EQ(head[http::field::content_length], get[http::field::content_length]) << "RFC 9110 §9.3.2";
  EXPECT_TRUE(head.body().empty());
  EXPECT_EQ(exchange(stream, http::verb::get, "/healthz").body(), "ok\n") << "no stray body bytes were sent";
}

TEST_F(AdminListener, AnswersPipelinedRequestsInOrder) {
  start();
  ready_ = true;
  beast::tcp_stream stream = connect();
  send(stream, "GET /healthz HTTP/1.1\r\nHost: a\r\n\r\nGET /readyz HTTP/1.1\r\nHost: a\r\n\r\n");
  beast::error_code ec;
  EXPECT_EQ(receive(stream, ec).body(), "ok\n");
  EXPECT_EQ(receive(stream, ec).body(), "ready\n");
  EXPECT_FALSE(ec);
}

TEST_F(AdminListener, ClosesAfterAnHttp10RequestWithoutKeepAlive) {
  start();
  beast::tcp_stream stream = connect();
  send(stream, "GET /healthz HTTP/1.0\r\n\r\n");
  beast::error_code ec;
  EXPECT_EQ(receive(stream, ec).body(), "ok\n");
  EXPECT_TRUE(closed_by_server(stream));
}

struct BadRequestCase {
  const char* name;
  std::string raw;
  http::status status;
  const char* why;
};

TEST_F(AdminListener, RejectsMalformedAndOversizedRequestsAndCloses) {
  start({.max_header_bytes = 1024});
  const std::vector<BadRequestCase> cases = {
      {"oversized head", "GET /metrics HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2048, 'x') + "\r\n\r\n",
       http::status::request_header_fields_too_large, "the head is bounded (RFC 6585 §5)"},
      {"body", "POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc", http::status::bad_request,
       "admin requests carry no body"},
      {"garbage", "NOT HTTP AT ALL\r\n\r\n", http::status::bad_request, "not a request line"},
      {"bad header", "GET / HTTP/1.1\r\nHo st: a\r\n\r\n", http::status::bad_request,
       "space in a field name"},
  };
  for (const auto& c : cases) {
    beast::tcp_stream stream = connect();
    send(stream, c.raw);
    beast::error_code ec;
    const Response response = receive(stream, ec);
    EXPECT_EQ(response.result(), c.status) << c.name << ": " << c.why;
    EXPECT_FALSE(response.keep_alive()) << c.name;
    EXPECT_TRUE(closed_by_server(stream)) << c.name;
  }
}

TEST_F(AdminListener, ClosesAnIdleKeepAliveConnection) {
  start({.idle_timeout = 200ms});
  beast::tcp_stream stream = connect();
  exchange(stream, http::verb::get, "/healthz");
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(stream));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
}

TEST_F(AdminListener, ClosesAConnectionWhoseHeadNeverCompletes) {
  start({.read_timeout = 200ms});
  beast::tcp_stream stream = connect();
  send(stream, "GET /metrics HTTP/1.1\r\nHost: a\r\n");  // slowloris: the blank line never comes
  const auto before = std::chrono::steady_clock::now();
  EXPECT_TRUE(closed_by_server(stream));
  EXPECT_LT(std::chrono::steady_clock::now() - before, 2s);
}

TEST_F(AdminListener, ClosesConnectionsBeyondTheLimitAtOnce) {
  start({.max_connections = 2});
  beast::tcp_stream first = connect();
  beast::tcp_stream second = connect();
  exchange(first, http::verb::get, "/healthz");  // both are registered sessions once they have answered
  exchange(second, http::verb::get, "/healthz");
  beast::tcp_stream third = connect();
  EXPECT_TRUE(closed_by_server(third));
  EXPECT_EQ(exchange(first, http::verb::get, "/healthz").result(), http::status::ok) << "the others live on";
}

TEST_F(AdminListener, StopClosesIdleConnectionsSoShutdownNeverWaitsForAScraper) {
  start({.idle_timeout = 60s});
  beast::tcp_stream stream = connect();
  exchange(stream, http::verb::get, "/metrics");
  EXPECT_TRUE(stop_server()) << "the io_context ran dry although a keep-alive connection was open";
  EXPECT_TRUE(closed_by_server(stream));
}

TEST(AdminServer, OpenReportsAnAddressInUse) {
  asio::io_context ioc;
  tcp::acceptor taken(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  std::error_code ec;
  auto server = AdminServer::open(ioc.get_executor(), taken.local_endpoint(),
                                  {std::make_shared<Metrics>("x"), nullptr, {}}, ec);
  EXPECT_EQ(server, nullptr);
  EXPECT_EQ(ec, std::errc::address_in_use);
}

}  // namespace
}  // namespace authgate::gateway
