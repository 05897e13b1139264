#pragma once
// The body half of Beast's relay() (example/doc/http_examples.hpp), as a coroutine: read a piece of
// the body into a fixed scratch buffer, write it as one buffer_body piece, until the message ends. No
// body is ever held whole; a slow stream is forwarded as it arrives (read_some, not read).

#include <chrono>
#include <cstdint>
#include <span>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>

#include "gateway/conn/stream.hpp"
#include "http/chunk_metadata_guard.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// Which side failed: `read` and `body_limit` are the input's, `write` the output's.
enum class RelayError : unsigned char { none, read, write, body_limit };

struct RelayStatus {
  RelayError error = RelayError::none;
  boost::system::error_code ec;
  std::uint64_t bytes = 0;
};

/// Streams the body of the message whose head `parser` has read from `in` to `out` through `serializer`
/// (whose head may or may not have been written). `primed` bytes already in `scratch` go first.
/// Each read and write gets `timeout` (no progress for that long ends the relay). `guard` watches the
/// parser's chunk metadata: trailers over its limit end the relay as a read error before the message's
/// end is written, so the receiver never sees a complete message that we should have refused.
template <bool IsRequest>
boost::asio::awaitable<RelayStatus> relay_body(
    Stream& in, beast::flat_buffer& in_buffer,
    http::parser<IsRequest, http::buffer_body, HeadAllocator<char>>& parser, Stream& out,
    http::serializer<IsRequest, http::buffer_body, Fields>& serializer, std::span<char> scratch,
    std::chrono::milliseconds timeout, const ChunkMetadataGuard& guard, std::size_t primed = 0) {
  RelayStatus status;
  auto& body = parser.get().body();
  do {
    if (primed > 0) {
      // The first piece was read before the upstream was contacted (prime_body).
      body.data = scratch.data();
      body.size = primed;
      body.more = !parser.is_done();
      status.bytes += primed;
      primed = 0;
    } else if (!parser.is_done()) {
      body.data = scratch.data();
      body.size = scratch.size();
      in.expires_after(timeout);
      auto [ec, n] = co_await in.visit([&](auto& s) {
        return http::async_read_some(s, in_buffer, parser, boost::asio::as_tuple(boost::asio::use_awaitable));
      });
      if (ec == http::error::need_buffer) ec = {};
      if (!ec && parser.is_done() && guard.trailers_too_large()) ec = http::error::header_limit;
      if (ec) {
        status.error = ec == http::error::body_limit ? RelayError::body_limit : RelayError::read;
        status.ec = in.timed(ec);
        co_return status;
      }
      const auto got = scratch.size() - body.size;
      if (got == 0 && !parser.is_done()) continue;  // a chunk header, no data yet
      // Why: Beast's chunked serializer frames an empty piece as a chunk of size 0, which IS the
      // last-chunk; offered with more=false it writes the real last-chunk after it, and the upstream
      // reads the second "0\r\n\r\n" as a new request (a response desync on a pooled connection).
      // No bytes means no buffer: the serializer then writes the last-chunk once.
      body.data = got > 0 ? scratch.data() : nullptr;
      body.size = got;
      body.more = !parser.is_done();
      status.bytes += got;
    } else {
      body.data = nullptr;
      body.size = 0;
      body.more = false;
    }
    out.expires_after(timeout);
    auto [ec, n] = co_await out.visit([&](auto& s) {
      return http::async_write(s, serializer, boost::asio::as_tuple(boost::asio::use_awaitable));
    });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) {
      status.error = RelayError::write;
      status.ec = out.timed(ec);
      co_return status;
    }
  } while (!parser.is_done() && !serializer.is_done());
  co_return status;
}

}  // namespace authgate::gateway
