#include "gateway/proxy/tunnel.hpp"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace authgate::gateway {
namespace {

using namespace boost::asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// One direction of the WebSocket tunnel: bytes already buffered first, then raw reads and writes.
asio::awaitable<void> pump(Stream& from, beast::flat_buffer& leftover, Stream& to, Clock::time_point& last,
                           std::uint64_t& moved) {
  std::vector<char> scratch(std::size_t{16} * 1024);
  bool ok = true;
  if (leftover.size() > 0) {
    auto [ec, n] =
        co_await to.visit([&](auto& s) { return asio::async_write(s, leftover.data(), use_tuple); });
    leftover.consume(leftover.size());
    moved += n;
    ok = !ec;
  }
  while (ok) {
    auto [ec, n] =
        co_await from.visit([&](auto& s) { return s.async_read_some(asio::buffer(scratch), use_tuple); });
    if (ec) break;
    last = Clock::now();
    const auto got = n;  // a structured binding cannot be captured (C++20)
    // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
    // internals is a false positive (asio#1511).
    // NOLINTBEGIN(clang-analyzer-core.NullDereference)
    auto [wec, wn] = co_await to.visit(
        [&](auto& s) { return asio::async_write(s, asio::buffer(scratch.data(), got), use_tuple); });
    // NOLINTEND(clang-analyzer-core.NullDereference)
    ok = !wec;
    moved += wn;
    last = Clock::now();
  }
  from.close();
  to.close();
}

// Ends the tunnel when neither direction moved for `idle` (closing both sockets ends the pumps).
asio::awaitable<void> watchdog(Stream& a, Stream& b, const Clock::time_point& last,
                               std::chrono::milliseconds idle) {
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTNEXTLINE(clang-analyzer-core.CallAndMessage)
  asio::steady_timer timer{co_await asio::this_coro::executor};
  for (;;) {
    timer.expires_at(last + idle);
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;  // the pumps finished first
    if (Clock::now() >= last + idle) break;
  }
  a.close();
  b.close();
}

}  // namespace

asio::awaitable<TunnelBytes> tunnel(Stream& client, beast::flat_buffer& client_buffer, Stream& upstream,
                                    beast::flat_buffer& upstream_buffer, std::chrono::milliseconds idle) {
  // The pumps and the watchdog keep their own time: tcp_stream's expiry would close a quiet direction
  // while the other one is busy.
  client.expires_never();
  upstream.expires_never();
  auto last = Clock::now();
  TunnelBytes bytes;
  co_await ((pump(client, client_buffer, upstream, last, bytes.to_upstream) &&
             pump(upstream, upstream_buffer, client, last, bytes.to_client)) ||
            watchdog(client, upstream, last, idle));
  co_return bytes;
}

}  // namespace authgate::gateway
