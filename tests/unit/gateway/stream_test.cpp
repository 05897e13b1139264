// Stream's lazy deadline: a passed deadline cancels the pending operation (reported as a timeout) and
// leaves the socket open; moving the deadline later or to "never" keeps the operation alive.
#include "gateway/conn/stream.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>

#include <functional>
#include <string>
#include <thread>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

/// A connected pair on 127.0.0.1: `stream` is ours, `peer` the other end.
struct Pair {
  asio::io_context io;
  std::optional<Stream> stream;
  tcp::socket peer{io};

  Pair() {
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    tcp::socket client{io};
    client.connect(acceptor.local_endpoint());
    acceptor.accept(peer);
    stream.emplace(std::move(client));
  }
};

struct ReadResult {
  bool done = false;
  boost::system::error_code ec;  // after Stream::timed()
  std::chrono::steady_clock::duration took{};
};

// Starts one read on `pair.stream` and runs the context until it completes or `limit` passes.
ReadResult read_once(Pair& pair, std::chrono::milliseconds limit) {
  ReadResult result;
  std::array<char, 16> buffer{};
  const auto start = std::chrono::steady_clock::now();
  pair.stream->socket().async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t) {
    result.done = true;
    result.ec = pair.stream->timed(ec);
    result.took = std::chrono::steady_clock::now() - start;
    pair.io.stop();  // the deadline's timer may still be pending
  });
  pair.io.restart();
  pair.io.run_for(limit);
  return result;
}

TEST(StreamDeadline, APassedDeadlineCancelsTheReadAsATimeoutAndKeepsTheSocketOpen) {
  Pair pair;
  pair.stream->expires_after(50ms);
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_EQ(result.ec, beast::error::timeout);
  EXPECT_GE(result.took, 50ms);
  EXPECT_LT(result.took, 1s);
  EXPECT_TRUE(pair.stream->socket().is_open());  // a 408 can still be written
}

TEST(StreamDeadline, AnotherErrorIsNotCalledATimeout) {
  Pair pair;
  pair.stream->expires_after(5s);
  pair.peer.close();
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_EQ(result.ec, asio::error::eof);
}

TEST(StreamDeadline, ADeadlineMovedLaterDoesNotFireAtTheEarlierTime) {
  Pair pair;
  pair.stream->expires_after(30ms);
  pair.stream->expires_after(400ms);  // the pending wait at 30 ms must re-arm, not cancel
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_EQ(result.ec, beast::error::timeout);
  EXPECT_GE(result.took, 400ms);
}

TEST(StreamDeadline, ADeadlineMovedEarlierFiresAtTheEarlierTime) {
  Pair pair;
  pair.stream->expires_after(10s);
  pair.stream->expires_after(50ms);
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_EQ(result.ec, beast::error::timeout);
  EXPECT_LT(result.took, 1s);
}

TEST(StreamDeadline, NeverMeansTheReadWaitsForData) {
  Pair pair;
  pair.stream->expires_after(30ms);
  pair.stream->expires_never();
  asio::steady_timer later{pair.io, 300ms};
  later.async_wait([&](boost::system::error_code) { asio::write(pair.peer, asio::buffer("x", 1)); });
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_FALSE(result.ec);
  EXPECT_GE(result.took, 300ms);
}

TEST(StreamDeadline, ANewDeadlineClearsTheTimeoutOfTheLastOne) {
  Pair pair;
  pair.stream->expires_after(20ms);
  ASSERT_EQ(read_once(pair, 2s).ec, beast::error::timeout);
  pair.stream->expires_after(5s);
  asio::write(pair.peer, asio::buffer("y", 1));
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_FALSE(result.ec);
}

TEST(StreamDeadline, DestroyingTheStreamWithAPendingDeadlineIsSafe) {
  Pair pair;
  pair.stream->expires_after(20ms);
  pair.stream.reset();
  pair.io.run_for(100ms);  // the timer's handler must not touch the destroyed stream
  SUCCEED();
}

TEST(StreamDeadline, AMovedStreamKeepsItsDeadline) {
  Pair pair;
  pair.stream->expires_after(50ms);
  Stream moved = std::move(*pair.stream);
  pair.stream.emplace(std::move(moved));
  const auto result = read_once(pair, 2s);
  ASSERT_TRUE(result.done);
  EXPECT_EQ(result.ec, beast::error::timeout);
}

}  // namespace
}  // namespace authgate::gateway

namespace authgate::gateway {
namespace {

// Runs write_all(pair.stream, bytes, timeout) to completion while the peer reads `read_limit` bytes
// (everything when 0), and returns the error and what the peer received.
struct WriteOutcome {
  boost::system::error_code ec;
  std::string received;
};

WriteOutcome write_all_and_read(Pair& pair, std::string_view bytes, std::chrono::milliseconds timeout,
                                std::size_t read_limit = 0) {
  WriteOutcome outcome;
  bool written = false;
  asio::co_spawn(pair.io, write_all(*pair.stream, asio::buffer(bytes), timeout),
                 [&](std::exception_ptr, boost::system::error_code ec) {
                   outcome.ec = ec;
                   written = true;
                 });
  std::array<char, 65536> chunk{};
  const std::size_t wanted = read_limit == 0 ? bytes.size() : read_limit;
  bool read_ended = false;
  std::function<void()> read_more = [&] {
    if (outcome.received.size() >= wanted) {
      read_ended = true;
      return;
    }
    pair.peer.async_read_some(asio::buffer(chunk), [&](boost::system::error_code ec, std::size_t n) {
      outcome.received.append(chunk.data(), n);
      if (ec) {
        read_ended = true;
      } else {
        read_more();
      }
    });
  };
  read_more();
  pair.io.restart();
  // Done when the writer finished and the reader has what it wanted: the writer can finish first (its
  // last bytes are still in the kernel's buffers), or, when it failed, the reader may never end.
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!(written && (read_ended || outcome.ec)) && std::chrono::steady_clock::now() < give_up) {
    pair.io.run_for(10ms);
  }
  return outcome;
}

TEST(StreamWriteAll, ASmallWriteArrivesWhole) {
  Pair pair;
  const auto outcome = write_all_and_read(pair, "HTTP/1.1 401 Unauthorized\r\n\r\n", 1s);
  EXPECT_FALSE(outcome.ec);
  EXPECT_EQ(outcome.received, "HTTP/1.1 401 Unauthorized\r\n\r\n");
}

TEST(StreamWriteAll, MoreThanTheSocketTakesAtOnceArrivesWholeAndInOrder) {
  Pair pair;
  std::string big(16 << 20, '\0');  // far beyond a loopback send buffer: a partial send, then async
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>('a' + i % 26);
  const auto outcome = write_all_and_read(pair, big, 5s);
  EXPECT_FALSE(outcome.ec);
  EXPECT_EQ(outcome.received.size(), big.size());
  EXPECT_TRUE(outcome.received == big);
}

TEST(StreamWriteAll, APeerThatStopsReadingTimesOut) {
  Pair pair;
  const std::string big(16 << 20, 'x');
  const auto outcome = write_all_and_read(pair, big, 200ms, 1);
  EXPECT_EQ(outcome.ec, beast::error::timeout);
}

TEST(StreamWriteAll, AClosedPeerIsAnErrorNotASignal) {
  Pair pair;
  pair.peer.close();
  std::this_thread::sleep_for(20ms);
  boost::system::error_code ec;
  // The first send may still be accepted (the RST comes back after it); a later one fails with EPIPE.
  for (int i = 0; i < 50 && !ec; ++i) {
    pair.stream->send_now(asio::buffer(std::string_view("x")), ec);
    std::this_thread::sleep_for(2ms);
  }
  EXPECT_TRUE(ec == asio::error::broken_pipe || ec == asio::error::connection_reset) << ec.message();
}

TEST(StreamWriteAll, SendNowWritesNothingOnATlsStream) {
  asio::io_context io;
  asio::ssl::context context{asio::ssl::context::tls_client};
  Stream stream{tcp::socket{io, tcp::v4()}, context};
  boost::system::error_code ec;
  EXPECT_EQ(stream.send_now(asio::buffer(std::string_view("x")), ec), 0u);
  EXPECT_FALSE(ec);
}

}  // namespace
}  // namespace authgate::gateway
