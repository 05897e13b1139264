// What a Connection field says, read across every line of it, and counting a field's lines by name.
#include "http/field_edits.hpp"

#include <gtest/gtest.h>

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

TEST(KeepsAlive, FollowsEveryConnectionLineAsOneList) {
  const std::vector<PersistenceCase> cases = {
      {11, {}, true, "HTTP/1.1 persists by default (RFC 9112 §9.3)"},
      {11, {"close"}, false, "close ends it"},
      {11, {"Keep-Alive, CLOSE"}, false, "tokens are case-insensitive and close wins"},
      {11,
       {"keep-alive", "close"},
       false,
       "a second line is part of the same list (Beast reads only the first)"},
      {11, {" ,  close\t,"}, false, "empty elements and whitespace around a token are allowed"},
      {11, {"closed, x-close"}, true, "only the whole token counts"},
      {10, {}, false, "HTTP/1.0 closes by default"},
      {10, {"keep-alive"}, true, "HTTP/1.0 persists only when asked"},
      {10, {"x", "Keep-Alive"}, true, "on any line"},
      {10, {"keep-alive, close"}, false, "close still wins"},
  };
  for (const auto& c : cases) {
    Fields fields;
    fields.insert(http::field::host, "app.example");
    for (const auto& line : c.connection) fields.insert(http::field::connection, line);
    EXPECT_EQ(keeps_alive(fields, c.version), c.keeps) << c.why;
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
