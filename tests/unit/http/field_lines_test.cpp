// The gateway's own upstream fields written as wire bytes must be the bytes Beast would have written for
// the same fields inserted: the common request goes out one way, a request with a body the other, and
// the upstream must not tell. Also: prepare_upstream_head() + those bytes == prepare_upstream_request().
#include "http/field_lines.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "http/head_bytes.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {
namespace {

std::string bytes_of_fields(const Fields& fields) {
  std::string out;
  for (const auto& field : fields) {
    out.append(field.name_string()).append(": ").append(field.value()).append("\r\n");
  }
  return out;
}

TEST(FieldLines, WritesEachFieldAsAWireLineInOrder) {
  HeadArena arena;
  FieldLines lines;
  lines.add("X-Auth-User", "alice");
  lines.add("Via", "1.1 authgate");
  EXPECT_EQ(lines.write(arena), "X-Auth-User: alice\r\nVia: 1.1 authgate\r\n");
}

TEST(FieldLines, NothingAddedWritesNothing) {
  HeadArena arena;
  EXPECT_EQ(FieldLines{}.write(arena), "");
}

TEST(FieldLines, AJoinedListIsJoinedAsJoinGroupsJoinsIt) {
  const std::vector<std::vector<std::string>> lists{
      {}, {"admins"}, {"admins", "staff"}, {"", "staff"}, {"admins", "", "staff"}, {"", ""}};
  for (const auto& list : lists) {
    HeadArena arena;
    FieldLines lines;
    lines.add_joined("X-Auth-Groups", list);
    EXPECT_EQ(lines.write(arena), "X-Auth-Groups: " + join_groups(list) + "\r\n");
    Fields fields;
    lines.insert_into(fields);
    EXPECT_EQ(bytes_of_fields(fields), "X-Auth-Groups: " + join_groups(list) + "\r\n");
  }
}

TEST(FieldLines, WrittenAndInsertedAreTheSameBytes) {
  const std::vector<std::string> groups{"admins", "staff"};
  FieldLines lines;
  lines.add("X-Auth-User", "alice");
  lines.add_joined("X-Auth-Groups", groups);
  lines.add("Forwarded", "for=\"192.0.2.7\";host=\"a.example\";proto=https");
  lines.add("X-Empty", "");
  HeadArena arena;
  const auto wire = lines.write(arena);
  Fields inserted;
  lines.insert_into(inserted);
  EXPECT_EQ(bytes_of_fields(inserted), wire);
}

TEST(FieldLines, MoreThanItsCapacityIsAProgrammingError) {
  FieldLines lines;
  for (std::size_t i = 0; i < FieldLines::capacity; ++i) lines.add("X-A", "1");
  EXPECT_THROW(lines.add("X-A", "1"), std::logic_error);
}

// Both ways of preparing a request give the upstream the same head, for every branch of the preparation.
struct Preparation {
  const char* name;
  std::vector<std::pair<std::string, std::string>> client_fields;
  bool authenticated;
  bool secure;
  const char* request_id;
};

RequestHead client_head(HeadAllocator<char> allocator, const Preparation& row) {
  RequestHead head{allocator};
  head.method(http::verb::get);
  head.target("/app/x");
  head.version(11);
  for (const auto& [name, value] : row.client_fields) head.insert(name, value);
  return head;
}

TEST(FieldLines, PrepareUpstreamHeadWritesWhatPrepareUpstreamRequestInserts) {
  const std::vector<Preparation> rows{
      {"an authenticated request", {{"Host", "app.example"}, {"Accept", "*/*"}}, true, false, "abc123"},
      {"an anonymous TLS request", {{"Host", "app.example"}}, false, true, ""},
      {"a request without Host", {{"Accept", "*/*"}}, true, false, "abc123"},
      {"appending to the client's X-Forwarded-For and Via",
       {{"Host", "app.example"}, {"X-Forwarded-For", "198.51.100.1"}, {"Via", "1.0 edge"}},
       true,
       false,
       "id"},
      {"a WebSocket upgrade",
       {{"Host", "app.example"}, {"Connection", "Upgrade"}, {"Upgrade", "websocket"}},
       true,
       false,
       "id"},
      {"spoofed identity and proxy fields",
       {{"Host", "app.example"},
        {"X-Auth-User", "mallory"},
        {"X_Forwarded_Host", "evil"},
        {"Forwarded", "x"}},
       true,
       true,
       "id"},
  };
  const IdentityHeaders names;
  const Identity alice{"alice", {"admins", "staff"}, "Basic", {}, {}};
  for (const auto& row : rows) {
    ForwardContext context;
    context.client_address = "192.0.2.7";
    context.identity_names = &names;
    context.identity = row.authenticated ? &alice : nullptr;
    context.secure = row.secure;
    context.target = "/base/app/x";
    context.default_host = "upstream:8080";
    context.request_id = row.request_id;

    HeadArena arena;
    auto split = client_head(HeadAllocator<char>{arena}, row);
    const auto wire = prepare_upstream_head(split, context);
    const auto written = head_bytes_in_arena(split, 0, wire);

    auto whole = client_head(HeadAllocator<char>{}, row);
    prepare_upstream_request(whole, context);
    EXPECT_EQ(std::string(written.data(), written.size()), head_bytes(whole)) << row.name;
  }
}

TEST(FieldLines, TheGatewaysFieldsComeLastInTheirOwnOrder) {
  const IdentityHeaders names;
  const Identity alice{"alice", {"admins", "staff"}, "Basic", {}, {}};
  ForwardContext context;
  context.client_address = "192.0.2.7";
  context.identity_names = &names;
  context.identity = &alice;
  context.target = "/base/app/x";
  context.request_id = "4f20f608";
  HeadArena arena;
  auto head = client_head(HeadAllocator<char>{arena},
                          {"", {{"Host", "app.example"}, {"Accept", "*/*"}}, true, false, ""});
  const auto wire = prepare_upstream_head(head, context);
  head.set(http::field::content_length, "0");  // a GET's "Content-Length: 0", re-set by the proxy afterwards
  const auto written = head_bytes_in_arena(head, 0, wire);
  EXPECT_EQ(std::string(written.data(), written.size()),
            "GET /base/app/x HTTP/1.1\r\n"
            "Host: app.example\r\n"
            "Accept: */*\r\n"
            "Content-Length: 0\r\n"
            "X-Auth-User: alice\r\n"
            "X-Auth-Groups: admins,staff\r\n"
            "X-Auth-Scheme: Basic\r\n"
            "X-Request-Id: 4f20f608\r\n"
            "X-Forwarded-For: 192.0.2.7\r\n"
            "X-Forwarded-Proto: http\r\n"
            "Forwarded: for=\"192.0.2.7\";host=\"app.example\";proto=http\r\n"
            "X-Forwarded-Host: app.example\r\n"
            "Via: 1.1 authgate\r\n"
            "\r\n");
}

TEST(FieldLines, PrepareUpstreamHeadNeedsAnArena) {
  RequestHead head;
  ForwardContext context;
  const IdentityHeaders names;
  context.identity_names = &names;
  EXPECT_THROW((void)prepare_upstream_head(head, context), std::logic_error);
}

}  // namespace
}  // namespace authgate::gateway
