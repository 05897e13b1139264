// What a Connection field says, read across every line of it, and counting a field's lines by name.
#include "http/field_edits.hpp"

#include <gtest/gtest.h>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

struct PersistenceCase {
  unsigned version;
  std::vector<std::string> connection;  // one field line each
  bool keeps;
  const char* why;
};

const std::vector<PersistenceCase>& persistence_cases() {
  static const std::vector<PersistenceCase> cases = {
      {11, {}, true, "HTTP/1.1 persists by default (RFC 9112 §9.3)"},
      {11, {"close"}, false, "close ends it"},
      {11, {"Keep-Alive, CLOSE"}, false, "tokens are case-insensitive and close wins"},
      {11,
       {"keep-alive", "close"},
       false,
       "a second line is part of the same list (Beast reads only the first)"},
      {11, {"x-a", "keep-alive", "Close"}, false, "close on a third line"},
      {11, {" ,  close\t,"}, false, "empty elements and whitespace around a token are allowed"},
      {11, {"closed, x-close"}, true, "only the whole token counts"},
      {11, {"upgrade"}, true, "other tokens leave it open"},
      {10, {}, false, "HTTP/1.0 closes by default"},
      {10, {"keep-alive"}, true, "HTTP/1.0 persists only when asked"},
      {10, {"x", "Keep-Alive"}, true, "on any line"},
      {10, {"keep-alive, close"}, false, "close still wins (Beast's keep_alive() says yes)"},
      {10, {"keep-alive", "close"}, false, "and on another line"},
  };
  return cases;
}

TEST(KeepsAlive, FollowsEveryConnectionLineAsOneList) {
  for (const auto& c : persistence_cases()) {
    Fields fields;
    fields.insert(http::field::host, "app.example");
    for (const auto& line : c.connection) fields.insert(http::field::connection, line);
    EXPECT_EQ(keeps_alive(fields, c.version), c.keeps) << c.why;
  }
}

TEST(RequestKeepsAlive, AgreesWithEveryConnectionLineOnTheWire) {
  // The same cases as parsed heads: HTTP/1.1 takes the parser's reading of the lines, HTTP/1.0 walks them.
  for (const auto& c : persistence_cases()) {
    std::string wire = c.version == 11 ? "GET / HTTP/1.1\r\n" : "GET / HTTP/1.0\r\n";
    wire += "Host: app.example\r\n";
    for (const auto& line : c.connection) wire += "Connection: " + line + "\r\n";
    wire += "\r\n";
    http::request_parser<http::empty_body, HeadAllocator<char>> parser;  // the gateway's Fields
    boost::system::error_code ec;
    parser.put(boost::asio::buffer(wire), ec);
    ASSERT_FALSE(ec) << c.why << ": " << ec.message();
    ASSERT_TRUE(parser.is_header_done()) << c.why;
    EXPECT_EQ(request_keeps_alive(parser), c.keeps) << c.why;
  }
}

TEST(FirstValue, IsWhatBeastsLookupAnswersForEveryNameItKnows) {
  Fields fields;
  fields.insert("user-agent", "first");
  fields.insert("Accept", "text/html");
  fields.insert("User-Agent", "second");
  fields.insert("X-Custom", "x");
  for (const auto name : {http::field::user_agent, http::field::accept, http::field::host}) {
    EXPECT_EQ(first_value(fields, name), fields[name]) << http::to_string(name);
  }
  EXPECT_EQ(first_value(fields, http::field::user_agent), "first");
  EXPECT_EQ(first_value(fields, http::field::host), "");
}

TEST(CountNamed, CountsEveryLineOfTheNameWhateverItsCase) {
  Fields fields;
  fields.insert("Host", "a");
  fields.insert("host", "b");
  fields.insert("X-Host", "c");
  EXPECT_EQ(count_named(fields, http::field::host), 2u);
  EXPECT_EQ(count_named(fields, http::field::connection), 0u);
}

}  // namespace
}  // namespace authgate::gateway
