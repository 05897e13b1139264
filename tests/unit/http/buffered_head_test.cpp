// Heads parsed from memory (buffered_head.hpp): a whole head is decided with no I/O, and whatever the
// parser did not take (the rest of an incomplete head, body bytes, a pipelined request) is kept.
#include "http/buffered_head.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

namespace authgate::gateway {
namespace {

namespace http = boost::beast::http;
using RequestParser = http::request_parser<http::buffer_body>;

std::string rest_of(const boost::beast::flat_buffer& buffer) {
  const auto data = buffer.data();
  return {static_cast<const char*>(data.data()), data.size()};
}

struct Case {
  const char* name;
  std::string_view bytes;
  bool decided;           // the head's outcome is known
  bool error;             // ... and it is a parse error
  std::string_view rest;  // what is left for the next read
};

const Case cases[] = {
    {"a whole head", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", true, false, ""},
    {"a head and its body's first bytes", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nab", true,
     false, "ab"},
    {"two pipelined requests", "GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\n", true, false,
     "GET /2 HTTP/1.1\r\n"},
    {"half a head: the parser keeps the start line", "GET / HTTP/1.1\r\nHo", false, false, "Ho"},
    {"not HTTP", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n", true, true, ""},
    {"nothing", "", false, false, ""},
};

TEST(BufferedHead, ParseHeadFromKeepsWhatTheParserDidNotTake) {
  for (const auto& c : cases) {
    RequestParser parser;
    boost::beast::flat_buffer rest;
    const auto outcome = parse_head_from(parser, boost::asio::buffer(c.bytes), rest);
    EXPECT_EQ(outcome.has_value(), c.decided) << c.name;
    if (outcome && !c.error) {
      EXPECT_FALSE(*outcome) << c.name << ": " << outcome->message();
    }
    if (outcome && c.error) {
      EXPECT_TRUE(*outcome) << c.name;
    }
    if (!c.error) {
      EXPECT_EQ(rest_of(rest), c.rest) << c.name;
    }
  }
}

TEST(BufferedHead, ParseBufferedHeadConsumesTheHeadOnly) {
  for (const auto& c : cases) {
    RequestParser parser;
    boost::beast::flat_buffer buffer;
    buffer.commit(boost::asio::buffer_copy(buffer.prepare(c.bytes.size()), boost::asio::buffer(c.bytes)));
    const auto outcome = parse_buffered_head(parser, buffer);
    EXPECT_EQ(outcome.has_value(), c.decided) << c.name;
    if (!c.error) {
      EXPECT_EQ(rest_of(buffer), c.rest) << c.name;
    }
  }
}

TEST(BufferedHead, AHeadLargerThanTheLimitIsAnErrorNotAWait) {
  RequestParser parser;
  parser.header_limit(64);
  const std::string head = "GET / HTTP/1.1\r\nX-Long: " + std::string(200, 'a') + "\r\n\r\n";
  boost::beast::flat_buffer rest;
  const auto outcome = parse_head_from(parser, boost::asio::buffer(head), rest);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(*outcome, http::error::header_limit);
}

// Issue 11 F9: Beast joins an obs-fold into the previous field, so a folded `Content-Length` or a
// folded continuation of `Transfer-Encoding: chunked` would be forwarded inside another field. A request
// head with any line starting with whitespace is refused (RFC 9112 §5.2, §2.2); a response's are joined.
TEST(BufferedHead, AFoldedRequestLineIsRefusedAndAResponseFoldIsJoined) {
  const struct {
    const char* name;
    std::string head;
    bool refused;
  } folds[] = {
      {"plain", "POST / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n", false},
      {"space inside a value", "POST / HTTP/1.1\r\nHost: a\r\nX-A: 1 2\r\n\r\n", false},
      {"folded Content-Length", "POST / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n Content-Length: 5\r\n\r\n", true},
      {"folded with a tab", "POST / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tmore\r\n\r\n", true},
      {"fold after chunked",
       "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n , identity\r\n\r\n", true},
      {"whitespace line after the request line", "POST / HTTP/1.1\r\n Host: a\r\n\r\n", true},
  };
  for (const auto& c : folds) {
    http::request_parser<http::empty_body> parser;
    boost::asio::const_buffer bytes{c.head.data(), c.head.size()};
    const auto outcome = feed_head(parser, bytes);
    ASSERT_TRUE(outcome.has_value()) << c.name;
    EXPECT_EQ(static_cast<bool>(*outcome), c.refused) << c.name << ": " << outcome->message();
  }
  http::response_parser<http::empty_body> response;
  const std::string folded = "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\nContent-Length: 0\r\n\r\n";
  boost::asio::const_buffer bytes{folded.data(), folded.size()};
  const auto outcome = feed_head(response, bytes);
  ASSERT_TRUE(outcome.has_value());
  EXPECT_FALSE(*outcome) << "RFC 9112 §5.2 lets a proxy replace a response's obs-fold with SP";
  EXPECT_EQ(response.get()["X-A"], "1 2");
}

}  // namespace
}  // namespace authgate::gateway
