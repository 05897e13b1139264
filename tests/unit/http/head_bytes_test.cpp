// head_bytes() must write exactly what Beast's serializer writes for the same head: the proxy uses
// one or the other depending on whether a body streams, and the upstream or client must not tell.
#include "http/head_bytes.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>
#include <stdexcept>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/write.hpp>

namespace authgate::gateway {
namespace {

template <bool isRequest>
std::string beast_bytes(const http::header<isRequest, Fields>& head) {
  http::message<isRequest, http::empty_body, Fields> message{head};
  http::serializer<isRequest, http::empty_body, Fields> serializer{message};
  std::string out;
  boost::system::error_code ec;
  serializer.split(true);
  while (!serializer.is_header_done()) {
    serializer.next(ec, [&](boost::system::error_code&, const auto& buffers) {
      for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
        out.append(static_cast<const char*>(buffer.data()), buffer.size());
      }
      serializer.consume(boost::beast::buffer_bytes(buffers));
    });
  }
  return out;
}

TEST(HeadBytes, RequestsMatchBeast) {
  RequestHead head;
  head.method(http::verb::get);
  head.target("/app/x?y=1");
  head.version(11);
  head.set(http::field::host, "app.example.com");
  head.insert("X-Custom", "a, b");
  head.insert("x-custom", "c");  // repeated field lines stay separate and in order
  head.set(http::field::content_length, "0");
  EXPECT_EQ(head_bytes(head), beast_bytes(head));
  EXPECT_EQ(head_bytes(head).substr(0, 28), "GET /app/x?y=1 HTTP/1.1\r\nHos");
}

TEST(HeadBytes, ParsedAndEditedFieldsMatchBeast) {
  // Each field line is copied whole from where Beast keeps it: a parsed head (an empty value, an obs-fold
  // Beast unfolds, trimmed whitespace), then lines set, erased and inserted after parsing.
  const std::string wire =
      "GET /p HTTP/1.1\r\nHost: a.example\r\nX-Empty:\r\nX-Fold: one\r\n  two\r\n"
      "X-Spaces:   padded \t\r\nAccept: */*\r\n\r\n";
  http::request_parser<http::empty_body, HeadAllocator<char>> parser;
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(wire), ec);
  ASSERT_FALSE(ec) << ec.message();
  auto& head = parser.get().base();
  EXPECT_EQ(head_bytes(head), beast_bytes(head));
  head.set(http::field::accept, "text/html");
  head.erase("X-Empty");
  head.insert("X-Added", "");
  head.insert(http::field::via, "1.1 authgate");
  EXPECT_EQ(head_bytes(head), beast_bytes(head));
  EXPECT_NE(head_bytes(head).find("\r\nX-Added: \r\n"), std::string::npos);
}

TEST(HeadBytes, UnknownMethodsAndHttp10MatchBeast) {
  RequestHead head;
  head.method_string("PURGE");
  head.target("/");
  head.version(10);
  EXPECT_EQ(head_bytes(head), beast_bytes(head));
  EXPECT_EQ(head_bytes(head), "PURGE / HTTP/1.0\r\n\r\n");
}

TEST(HeadBytes, ResponsesMatchBeastWithTheirOwnOrTheStandardReason) {
  ResponseHead own;
  own.result(200);
  own.reason("Fine Thanks");
  own.version(11);
  own.set(http::field::content_length, "3");
  own.insert(http::field::set_cookie, "a=1");
  own.insert(http::field::set_cookie, "b=2");
  EXPECT_EQ(head_bytes(own), beast_bytes(own));
  EXPECT_EQ(head_bytes(own).substr(0, 26), "HTTP/1.1 200 Fine Thanks\r\n");

  ResponseHead standard;
  standard.result(http::status::not_found);
  standard.version(11);
  EXPECT_EQ(head_bytes(standard), beast_bytes(standard));
  EXPECT_EQ(head_bytes(standard), "HTTP/1.1 404 Not Found\r\n\r\n");

  ResponseHead unknown;
  unknown.result(599);
  unknown.version(11);
  EXPECT_EQ(head_bytes(unknown), beast_bytes(unknown));
}

TEST(HeadBytesInArena, AreTheSameBytesWithRoomForTheBodyAfterThem) {
  HeadArena arena;
  RequestHead request{HeadAllocator<char>{arena}};
  request.method(http::verb::post);
  request.target("/upload");
  request.version(11);
  request.set(http::field::host, "app");
  const auto wire = head_bytes_in_arena(request);
  EXPECT_EQ(std::string_view(wire.data(), wire.size()), head_bytes(request));

  ResponseHead response{HeadAllocator<char>{arena}};
  response.result(200);
  response.version(11);
  response.set(http::field::content_length, "5");
  const auto with_body = head_bytes_in_arena(response, 5);
  const auto head = head_bytes(response);
  ASSERT_EQ(with_body.size(), head.size() + 5);
  EXPECT_EQ(std::string_view(with_body.data(), head.size()), head);
  std::memcpy(with_body.last(5).data(), "hello", 5);  // the room is the caller's to fill
  EXPECT_EQ(std::string_view(with_body.data() + head.size(), 5), "hello");
}

TEST(HeadBytesInArena, AHeadOutsideAnArenaIsAProgrammingError) {
  RequestHead request;
  request.method(http::verb::get);
  request.target("/");
  EXPECT_THROW((void)head_bytes_in_arena(request), std::logic_error);
}

}  // namespace
}  // namespace authgate::gateway
