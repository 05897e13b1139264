// relay_body() re-frames a body exactly: whatever pieces the input arrives in, the output is one
// message — a chunked body with exactly one last-chunk, or exactly Content-Length bytes — and nothing
// after it. Regression for issue 11 F1: an empty piece at the end was written as a chunk of size 0
// (which is the last-chunk) before the real last-chunk, and the upstream read the second one as a new
// request, desynchronising every later response on that pooled connection.
#include "gateway/proxy/body_relay.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

namespace authgate::gateway {
namespace {

using namespace std::chrono_literals;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// Decodes a strict chunked body (RFC 9112 §7.1) that must end exactly at its last CRLF; nullopt on
/// anything else, including a byte after the message.
std::optional<std::string> dechunk_exactly(std::string_view wire) {
  std::string data;
  for (;;) {
    const auto eol = wire.find("\r\n");
    if (eol == std::string_view::npos || eol == 0) return std::nullopt;
    const auto size_text = wire.substr(0, eol);
    if (size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) return std::nullopt;
    const auto size = std::stoul(std::string{size_text}, nullptr, 16);
    wire.remove_prefix(eol + 2);
    if (size == 0) return wire == "\r\n" ? std::optional{data} : std::nullopt;
    if (wire.size() < size + 2 || wire.substr(size, 2) != "\r\n") return std::nullopt;
    data.append(wire.substr(0, size));
    wire.remove_prefix(size + 2);
  }
}

struct Row {
  const char* name;
  std::string head;                 // the request head the client sends
  std::vector<std::string> pieces;  // the body, sent as separate TCP writes with a pause between
  std::string body;                 // what the upstream must receive as the body's data
  bool chunked;                     // the forwarded message is chunked (else Content-Length)
};

/// Two loopback connections: client → `in` (the gateway's client side), `out` → upstream.
struct Link {
  asio::io_context io;
  std::optional<Stream> in, out;
  tcp::socket client{io}, upstream{io};

  Link() {
    tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    tcp::socket a{io}, b{io};
    a.connect(acceptor.local_endpoint());
    acceptor.accept(client);
    b.connect(acceptor.local_endpoint());
    acceptor.accept(upstream);
    in.emplace(std::move(a));
    out.emplace(std::move(b));
  }
};

asio::awaitable<void> send_pieces(tcp::socket& socket, const Row& row) {
  co_await asio::async_write(socket, asio::buffer(row.head), use_tuple);
  asio::steady_timer pause{socket.get_executor()};
  for (const auto& piece : row.pieces) {
    pause.expires_after(5ms);  // separate reads on the other side
    co_await pause.async_wait(use_tuple);
    co_await asio::async_write(socket, asio::buffer(piece), use_tuple);
  }
}

asio::awaitable<void> relay_one(Link& link, bool& ok, RelayError* error = nullptr) {
  beast::flat_buffer buffer;
  http::request_parser<http::buffer_body, HeadAllocator<char>> parser;
  ChunkMetadataGuard guard{4096, parser.get()};
  parser.on_chunk_header(guard);
  auto [ec, n] = co_await http::async_read_header(link.in->socket(), buffer, parser, use_tuple);
  if (ec) co_return;
  auto& request = parser.get();
  request.erase(http::field::content_length);
  if (parser.content_length())
    request.content_length(*parser.content_length());
  else
    request.chunked(parser.chunked());
  http::request_serializer<http::buffer_body, Fields> serializer{request};
  std::array<char, 64 * 1024> scratch{};
  const auto status = co_await relay_body(*link.in, buffer, parser, *link.out, serializer,
                                          std::span<char>{scratch}, std::chrono::milliseconds{2000}, guard);
  ok = status.error == RelayError::none && parser.is_done();
  if (error != nullptr) *error = status.error;
  link.out->close();
}

asio::awaitable<void> read_all(Link& link, std::string& into) {
  std::array<char, 4096> piece{};
  for (;;) {
    auto [ec, n] = co_await link.upstream.async_read_some(asio::buffer(piece), use_tuple);
    into.append(piece.data(), n);
    if (ec) break;
  }
  link.io.stop();  // the relay is over; its idle deadline timer need not fire
}

const std::string chunked_head = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
const std::string sized_head = "POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 8\r\n\r\n";

const Row rows[] = {
    {"LastChunkAloneAfterTheDataIsWrittenOnce",
     chunked_head,
     {"5\r\nhello\r\n3\r\nabc\r\n", "0\r\n\r\n"},
     "helloabc",
     true},
    {"LastChunkWithTheDataIsWrittenOnce",
     chunked_head,
     {"5\r\nhello\r\n3\r\nabc\r\n0\r\n\r\n"},
     "helloabc",
     true},
    {"EmptyChunkedBodyIsOneLastChunk", chunked_head, {"0\r\n\r\n"}, "", true},
    {"LastChunkSplitAcrossReadsIsWrittenOnce",
     chunked_head,
     {"5\r\nhello\r\n", "0\r\n", "\r\n"},
     "hello",
     true},
    {"ChunkHeaderSplitFromItsDataIsOneChunk",
     chunked_head,
     {"5\r\n", "hello\r\n", "0\r\n\r\n"},
     "hello",
     true},
    {"ExtensionsAndTrailersAreDroppedNotDuplicated",
     chunked_head,
     {"5;a=b\r\nhello\r\n", "0;last\r\nX-Trailer: 1\r\n\r\n"},
     "hello",
     true},
    {"SizedBodyInPiecesIsExactlyItsLength", sized_head, {"hell", "oabc"}, "helloabc", false},
};

void PrintTo(const Row& row, std::ostream* out) { *out << row.name; }

class BodyRelay : public ::testing::TestWithParam<Row> {};

TEST_P(BodyRelay, ForwardsExactlyOneMessage) {
  const auto& row = GetParam();
  Link link;
  bool ok = false;
  std::string received;
  asio::co_spawn(link.io, send_pieces(link.client, row), asio::detached);
  asio::co_spawn(link.io, relay_one(link, ok), asio::detached);
  asio::co_spawn(link.io, read_all(link, received), asio::detached);
  link.io.run_for(5s);
  ASSERT_TRUE(ok) << row.name;
  const auto head_end = received.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << received;
  const auto body = received.substr(head_end + 4);
  if (row.chunked) {
    const auto data = dechunk_exactly(body);
    ASSERT_TRUE(data.has_value()) << "not exactly one chunked message: " << ::testing::PrintToString(body);
    EXPECT_EQ(*data, row.body);
  } else {
    EXPECT_EQ(body, row.body);
  }
}

INSTANTIATE_TEST_SUITE_P(Framings, BodyRelay, ::testing::ValuesIn(rows),
                         [](const auto& row) { return std::string{row.param.name}; });

// Issue 11 F5: chunk extensions and trailers are bounded (limits.max_chunk_metadata_bytes, 4096 here).
// Beyond the limit the relay ends as the input's fault before the last-chunk is written, so the
// receiver never holds a complete message that should have been refused.
TEST(BodyRelayLimits, MetadataOverTheLimitEndsTheRelayWithoutALastChunk) {
  const Row over_limit[] = {
      {"an extension over the limit",
       chunked_head,
       {"5;x=" + std::string(5000, 'e') + "\r\nhello\r\n0\r\n\r\n"},
       "",
       true},
      {"a trailer section over the limit",
       chunked_head,
       {"5\r\nhello\r\n", "0\r\nX-Big: " + std::string(5000, 't') + "\r\n\r\n"},
       "",
       true},
  };
  for (const auto& row : over_limit) {
    Link link;
    bool ok = true;
    RelayError error = RelayError::none;
    std::string received;
    asio::co_spawn(link.io, send_pieces(link.client, row), asio::detached);
    asio::co_spawn(link.io, relay_one(link, ok, &error), asio::detached);
    asio::co_spawn(link.io, read_all(link, received), asio::detached);
    link.io.run_for(5s);
    EXPECT_FALSE(ok) << row.name;
    EXPECT_EQ(error, RelayError::read) << row.name;
    const auto head_end = received.find("\r\n\r\n");
    if (head_end == std::string::npos) continue;  // refused before anything was written
    EXPECT_FALSE(dechunk_exactly(received.substr(head_end + 4)).has_value())
        << row.name << ": the receiver got a complete message";
  }
}

}  // namespace
}  // namespace authgate::gateway
