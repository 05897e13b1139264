// Keep-alive reuse of async_fetch (ConnectionReuse) against a real local server (fetch_reuse_server.hpp):
// a connection waits in the io_context it was opened on, for the next fetch on that io_context, and goes
// when its client or its io_context goes, whichever is first.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <optional>
#include <thread>
#include <vector>

#include "fetch_reuse_server.hpp"
#include "net/fetch_context_pool.hpp"
#include "net/http_fetch_async.hpp"

namespace authgate::net::reuse_test {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;

FetchRequest echo() { return {idp().https_url() + "/echo", true, "token=abc", "Basic Zm9vOmJhcg=="}; }
FetchRequest slow() { return {idp().https_url() + "/slow", false, {}, {}}; }

// One async_fetch on `io`, run on this thread until the io_context has nothing left to do. The request is
// a named object: GCC 12 destroys a temporary passed by value to a coroutine twice.
FetchResult run_fetch(asio::io_context& io, const HttpClient& client, FetchRequest request,
                      FetchLimits limits = {}) {
  std::optional<FetchResult> out;
  asio::co_spawn(io, async_fetch(client, std::move(request), limits),
                 [&out](std::exception_ptr, FetchResult r) { out = std::move(r); });
  io.restart();
  io.run();
  if (!out) return FetchError{FetchErrc::io_error, "the coroutine did not complete"};
  return std::move(*out);
}

// Connections of every client parked in `io`.
std::size_t parked_in(asio::io_context& io) {
  if (!asio::has_service<detail::ContextLinksService>(io)) return 0;
  return asio::use_service<detail::ContextLinksService>(io).links()->idle_count();
}

class AsyncFetchReuse : public ReuseTest {};

TEST_F(AsyncFetchReuse, FetchesOnOneIoContextShareOneKeptAliveConnection) {
  const auto client = reusing_client();
  asio::io_context io;
  const auto before = connections();
  for (int i = 0; i < 3; ++i) {
    const auto r = run_fetch(io, *client, echo());
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_EQ(r->body.find(R"("Connection": "close")"), std::string::npos) << "no close on a kept connection";
  }
  EXPECT_EQ(connections() - before, 1);
  EXPECT_EQ(client->idle_connections(), 1u);
  EXPECT_EQ(parked_in(io), 1u);
}

TEST_F(AsyncFetchReuse, WithoutReuseEveryAsyncFetchOpensAndClosesItsOwnConnection) {
  const auto client = *HttpClient::create(idp().ca_file());
  asio::io_context io;
  const auto before = connections();
  for (int i = 0; i < 3; ++i) {
    const auto r = run_fetch(io, *client, echo());
    ASSERT_TRUE(r.has_value()) << r.error().message();
    EXPECT_NE(r->body.find(R"("Connection": "close")"), std::string::npos);
  }
  EXPECT_EQ(connections() - before, 3);
  EXPECT_EQ(parked_in(io), 0u);
}

TEST_F(AsyncFetchReuse, AConnectionOpenedOnOneIoContextIsNeverTakenOnAnother) {
  // Its sockets belong to the io_context it was opened on: another thread's coroutine must not use them.
  const auto client = reusing_client();
  asio::io_context first, second;
  const auto before = connections();
  ASSERT_TRUE(run_fetch(first, *client, echo()).has_value());
  ASSERT_TRUE(run_fetch(second, *client, echo()).has_value());
  EXPECT_EQ(connections() - before, 2);
  ASSERT_TRUE(run_fetch(first, *client, echo()).has_value());
  EXPECT_EQ(connections() - before, 2) << "the first io_context took its own connection back";
  EXPECT_EQ(parked_in(first), 1u);
  EXPECT_EQ(parked_in(second), 1u);
}

TEST_F(AsyncFetchReuse, ConnectionsWaitPerOrigin) {
  const auto client = reusing_client();
  asio::io_context io;
  const auto before = connections();
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  ASSERT_TRUE(run_fetch(io, *client, {idp().http_url() + "/jwks", false, {}, {}}).has_value());
  ASSERT_TRUE(run_fetch(io, *client, {idp().http_url() + "/jwks", false, {}, {}}).has_value());
  EXPECT_EQ(connections() - before, 2) << "one https://, one http://";
  EXPECT_EQ(parked_in(io), 2u);
}

TEST_F(AsyncFetchReuse, AKeptConnectionThatDiesBeforeAnsweringIsRetriedOnceOnAFreshOne) {
  // The stale keep-alive case: the server closed the parked connection while the request was on its way.
  const auto client = reusing_client();
  asio::io_context io;
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  const auto before = connections();
  const auto echoes = requests_to("/echo");
  set_state(R"({"drop_requests":1})");
  const auto r = run_fetch(io, *client, echo());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(requests_to("/echo") - echoes, 2) << "the dropped request and its one retry";
  EXPECT_EQ(connections() - before, 1) << "the retry used a fresh connection";
  EXPECT_EQ(parked_in(io), 1u);
}

TEST_F(AsyncFetchReuse, AFreshConnectionThatDiesBeforeAnsweringIsNotRetried) {
  const auto client = reusing_client();
  asio::io_context io;
  const auto echoes = requests_to("/echo");
  set_state(R"({"drop_requests":2})");
  ASSERT_FALSE(run_fetch(io, *client, echo()).has_value());
  EXPECT_EQ(requests_to("/echo") - echoes, 1);
  EXPECT_EQ(parked_in(io), 0u);
}

TEST_F(AsyncFetchReuse, AConnectionClosedSilentlyWhileIdleIsDroppedBeforeUse) {
  set_state(R"({"close_silently":true})");
  const auto client = reusing_client();
  asio::io_context io;
  const auto before = connections();
  const auto echoes = requests_to("/echo");
  for (int i = 0; i < 3; ++i) {
    const auto r = run_fetch(io, *client, echo());
    ASSERT_TRUE(r.has_value()) << "fetch " << i << ": " << r.error().message();
    std::this_thread::sleep_for(milliseconds(50));  // the server's close reaches us
  }
  EXPECT_EQ(connections() - before, 3);
  EXPECT_EQ(requests_to("/echo") - echoes, 3) << "found closed while idle: no request was lost on it";
}

TEST_F(AsyncFetchReuse, AConnectionTheServerSaysItClosesIsNotParked) {
  set_state(R"({"connection_close":true})");
  const auto client = reusing_client();
  asio::io_context io;
  const auto before = connections();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  EXPECT_EQ(connections() - before, 3);
  EXPECT_EQ(parked_in(io), 0u);
}

TEST_F(AsyncFetchReuse, AnIdleConnectionIsDroppedAfterTheIdleTimeout) {
  const auto client = reusing_client(2, milliseconds(200));
  asio::io_context io;
  const auto before = connections();
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  std::this_thread::sleep_for(milliseconds(400));
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  EXPECT_EQ(connections() - before, 2);
  EXPECT_EQ(parked_in(io), 1u) << "the expired one closed, the new one parked";
}

TEST_F(AsyncFetchReuse, AtMostMaxIdleConnectionsWaitInOneIoContext) {
  set_state(R"({"slow_seconds":0.3})");
  const auto client = reusing_client(2);
  asio::io_context io;
  int ok = 0;
  for (int i = 0; i < 4; ++i) {     // four at once: four connections
    FetchRequest request = slow();  // named: see run_fetch
    asio::co_spawn(io, async_fetch(*client, std::move(request), {}),
                   [&ok](std::exception_ptr, FetchResult r) {
                     if (r && r->status == 200) ++ok;
                   });
  }
  io.run();
  EXPECT_EQ(ok, 4);
  EXPECT_EQ(parked_in(io), 2u);
}

TEST_F(AsyncFetchReuse, TheDeadlineCoversAFetchOnAKeptConnection) {
  const auto client = reusing_client();
  asio::io_context io;
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  const auto start = std::chrono::steady_clock::now();
  const auto r = run_fetch(io, *client, slow(), {milliseconds(300), 1024});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::timeout);
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_EQ(parked_in(io), 0u) << "a connection with an answer still coming is dropped";
}

TEST_F(AsyncFetchReuse, AnIoContextDestroyedBeforeTheClientClosesItsParkedConnections) {
  const auto client = reusing_client();
  {
    asio::io_context io;
    ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
    EXPECT_EQ(client->idle_connections(), 1u);
  }
  EXPECT_EQ(client->idle_connections(), 0u);
  asio::io_context next;
  ASSERT_TRUE(run_fetch(next, *client, echo()).has_value()) << "the client still works";
  EXPECT_EQ(client->idle_connections(), 1u);
}

TEST_F(AsyncFetchReuse, AnIoContextDestroyedMidFetchLeavesTheClientUsable) {
  const auto client = reusing_client();
  {
    asio::io_context io;
    ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
    FetchRequest request = slow();  // named: see run_fetch
    asio::co_spawn(io, async_fetch(*client, std::move(request), {}), asio::detached);
    io.restart();
    io.run_for(milliseconds(200));  // the kept connection is taken and waits for the slow answer
  }
  EXPECT_EQ(client->idle_connections(), 0u);
  asio::io_context next;
  EXPECT_TRUE(run_fetch(next, *client, echo()).has_value());
}

TEST_F(AsyncFetchReuse, AClientDestroyedBeforeItsIoContextClosesItsParkedConnections) {
  asio::io_context io;
  auto client = reusing_client();
  ASSERT_TRUE(run_fetch(io, *client, echo()).has_value());
  EXPECT_EQ(parked_in(io), 1u);
  client.reset();
  EXPECT_EQ(parked_in(io), 0u);
}

TEST_F(AsyncFetchReuse, AClientDestroyedWhileItsIoContextRunsOnAnotherThread) {
  asio::io_context io;
  auto guard = asio::make_work_guard(io);
  std::thread runner([&io] { io.run(); });
  auto client = reusing_client();
  std::promise<FetchResult> done;
  asio::post(io, [&] {
    FetchRequest request = echo();  // named: see run_fetch
    asio::co_spawn(io, async_fetch(*client, std::move(request), {}),
                   [&done](std::exception_ptr, FetchResult r) { done.set_value(std::move(r)); });
  });
  EXPECT_TRUE(done.get_future().get().has_value());
  EXPECT_EQ(parked_in(io), 1u);
  client.reset();  // closes the parked connection from this thread while the io_context runs
  EXPECT_EQ(parked_in(io), 0u);
  guard.reset();
  runner.join();
}

TEST_F(AsyncFetchReuse, CoroutinesOnSeveralIoContextsShareOneClientAtOnce) {
  const auto client = reusing_client();
  const auto before = connections();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      asio::io_context io{1};
      for (int i = 0; i < 5; ++i) {
        const auto r = run_fetch(io, *client, echo());
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 15);
  EXPECT_EQ(connections() - before, 3) << "fifteen fetches on three io_contexts, one handshake each";
  EXPECT_EQ(client->idle_connections(), 0u) << "each io_context closed its connection as it went";
}

}  // namespace
}  // namespace authgate::net::reuse_test
