// Stream's lazy deadline: a passed deadline cancels the pending operation (reported as a timeout) and
// leaves the socket open; moving the deadline later or to "never" keeps the operation alive.
#include "gateway/stream.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>

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
