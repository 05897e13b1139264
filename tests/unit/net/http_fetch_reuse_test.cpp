// Keep-alive reuse of the blocking fetch client (ConnectionReuse) against a real local server
// (fetch_reuse_server.hpp): the server counts the connections that carried requests, so each test says
// how many handshakes a number of fetches cost.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "fetch_reuse_server.hpp"
#include "net/http_fetch.hpp"

namespace authgate::net::reuse_test {
namespace {

using std::chrono::milliseconds;

FetchResult post_echo(const HttpClient& client, milliseconds timeout = milliseconds(5000)) {
  return client.fetch({idp().https_url() + "/echo", true, "token=abc", "Basic Zm9vOmJhcg=="},
                      {timeout, std::size_t{1} << 20});
}

class HttpFetchReuse : public ReuseTest {};

TEST_F(HttpFetchReuse, FiveFetchesShareOneKeptAliveConnection) {
  const auto client = reusing_client();
  const auto before = connections();
  for (int i = 0; i < 5; ++i) {
    const auto r = post_echo(*client);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->body.find(R"("Connection": "close")"), std::string::npos) << "no close on a kept connection";
  }
  EXPECT_EQ(connections() - before, 1);
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST_F(HttpFetchReuse, WithoutReuseEveryFetchOpensAndClosesItsOwnConnection) {
  const auto client = *HttpClient::create(idp().ca_file());
  const auto before = connections();
  for (int i = 0; i < 3; ++i) {
    const auto r = post_echo(*client);
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_NE(r->body.find(R"("Connection": "close")"), std::string::npos);
  }
  EXPECT_EQ(connections() - before, 3);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpFetchReuse, AConnectionTheServerSaysItClosesIsNotReused) {
  set_state(R"({"connection_close":true})");
  const auto client = reusing_client();
  const auto before = connections();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(post_echo(*client).has_value());
  EXPECT_EQ(connections() - before, 3);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpFetchReuse, AKeptConnectionThatDiesBeforeAnsweringIsRetriedOnceOnAFreshOne) {
  // The stale keep-alive case: the server closed the parked connection while the request was on its way.
  const auto client = reusing_client();
  ASSERT_TRUE(post_echo(*client).has_value());
  const auto before = connections();
  const auto echoes = requests_to("/echo");
  set_state(R"({"drop_requests":1})");
  const auto r = post_echo(*client);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(requests_to("/echo") - echoes, 2) << "the dropped request and its one retry";
  EXPECT_EQ(connections() - before, 1) << "the retry used a fresh connection";
}

TEST_F(HttpFetchReuse, AFreshConnectionThatDiesBeforeAnsweringIsNotRetried) {
  const auto client = reusing_client();
  const auto echoes = requests_to("/echo");
  set_state(R"({"drop_requests":2})");
  const auto r = post_echo(*client);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(requests_to("/echo") - echoes, 1);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpFetchReuse, AConnectionClosedSilentlyWhileIdleCostsNoFailure) {
  set_state(R"({"close_silently":true})");
  const auto client = reusing_client();
  const auto before = connections();
  for (int i = 0; i < 5; ++i) {
    const auto r = post_echo(*client);
    ASSERT_TRUE(r.has_value()) << "fetch " << i << ": " << r.error().message();
  }
  EXPECT_EQ(connections() - before, 5);
}

TEST_F(HttpFetchReuse, AnIdleConnectionIsDroppedAfterTheIdleTimeout) {
  const auto client = reusing_client(2, milliseconds(200));
  const auto before = connections();
  ASSERT_TRUE(post_echo(*client).has_value());
  std::this_thread::sleep_for(milliseconds(400));
  ASSERT_TRUE(post_echo(*client).has_value());
  EXPECT_EQ(connections() - before, 2);
}

TEST_F(HttpFetchReuse, AtMostMaxIdleConnectionsWait) {
  set_state(R"({"slow_seconds":0.3})");
  const auto client = reusing_client(2);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      const auto r = client->fetch({idp().https_url() + "/slow", false, {}, {}}, {});
      if (r && r->status == 200) ++ok;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 4);
  EXPECT_EQ(client->idle_connections(), 2u);
}

TEST_F(HttpFetchReuse, AResponseNotReadToTheEndIsNotReused) {
  const auto client = reusing_client();
  const auto r = client->fetch({idp().https_url() + "/big", false, {}, {}}, {milliseconds(5000), 1024});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::too_large);
  EXPECT_EQ(client->idle_connections(), 0u);
}

TEST_F(HttpFetchReuse, TheDeadlineCoversAFetchOnAKeptConnection) {
  const auto client = reusing_client();
  ASSERT_TRUE(post_echo(*client).has_value());
  const auto start = std::chrono::steady_clock::now();
  const auto r = client->fetch({idp().https_url() + "/slow", false, {}, {}}, {milliseconds(300), 1024});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_EQ(client->idle_connections(), 0u) << "a connection with an answer still coming is dropped";
}

TEST_F(HttpFetchReuse, ManyThreadsShareTheKeptConnections) {
  const auto client = reusing_client(4);
  const auto before = connections();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        const auto r = post_echo(*client);
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 40);
  EXPECT_LE(connections() - before, 8) << "forty fetches, at most a few handshakes";
}

TEST_F(HttpFetchReuse, PlainHttpConnectionsAreKeptToo) {
  const auto client = reusing_client();
  const auto before = connections();
  for (int i = 0; i < 3; ++i) {
    const auto r = client->fetch({idp().http_url() + "/jwks", false, {}, {}}, {});
    ASSERT_TRUE(r.has_value()) << r.error().message();
  }
  EXPECT_EQ(connections() - before, 1);
}

}  // namespace
}  // namespace authgate::net::reuse_test
