// Request ids (http/request_id.hpp): which incoming ids a trusted proxy may set, W3C traceparent, and
// fresh ids that are well formed and distinct; malformed and oversized input is replaced, never kept.
#include "http/request_id.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>
#include <vector>

namespace authgate::gateway {
namespace {

constexpr std::string_view traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

bool looks_fresh(std::string_view id) {
  return id.size() == 32 && id.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

TEST(RequestId, ATrustedProxysIdIsKept) {
  const struct {
    const char* name;
    std::string id;
  } kept[] = {
      {"a UUID", "f47ac10b-58cc-4372-a567-0e02b2c3d479"},
      {"nginx's $request_id", "0123456789abcdef0123456789abcdef"},
      {"base64", "YWJj+/=="},
      {"dotted and coloned", "req.1:2_3"},
      {"one character", "x"},
      {"exactly the limit", std::string(max_request_id, 'a')},
  };
  for (const auto& c : kept) {
    EXPECT_EQ(choose_request_id(c.id, {}, true).view(), c.id) << c.name;
    EXPECT_TRUE(looks_fresh(choose_request_id(c.id, {}, false).view())) << c.name << ": not from a client";
  }
}

TEST(RequestId, AMalformedIdIsReplaced) {
  const struct {
    const char* name;
    std::string id;
  } replaced[] = {
      {"empty", ""},
      {"over the limit", std::string(max_request_id + 1, 'a')},
      {"a space", "a b"},
      {"a quote (would break a log line)", "a\"b"},
      {"a CR LF (would add a header)", "a\r\nX-Auth-User: admin"},
      {"a NUL", std::string("a\0b", 3)},
      {"non-ASCII", "r\xC3\xA9q"},
      {"a comma (two ids)", "a,b"},
      {"a semicolon", "a;b"},
  };
  for (const auto& c : replaced) {
    EXPECT_FALSE(valid_request_id(c.id)) << c.name;
    EXPECT_TRUE(looks_fresh(choose_request_id(c.id, {}, true).view())) << c.name;
  }
}

TEST(RequestId, TraceparentGivesItsTraceIdWhenNoIdCame) {
  EXPECT_EQ(choose_request_id({}, traceparent, true).view(), "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(choose_request_id("mine", traceparent, true).view(), "mine") << "X-Request-Id first";
  EXPECT_TRUE(looks_fresh(choose_request_id({}, traceparent, false).view())) << "only from a trusted proxy";
  const struct {
    const char* name;
    std::string value;
  } bad[] = {
      {"upper-case hex", "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"},
      {"an all-zero trace-id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"},
      {"an all-zero parent-id", "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"},
      {"another version", "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
      {"too short", "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01"},
      {"too long", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-"},
      {"a wrong separator", "00-4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7-01"},
      {"not hex", "00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01"},
  };
  for (const auto& c : bad) {
    EXPECT_EQ(trace_id_of(c.value), "") << c.name;
    EXPECT_TRUE(looks_fresh(choose_request_id({}, c.value, true).view())) << c.name;
  }
}

TEST(RequestId, FreshIdsAreWellFormedAndDistinctAcrossThreads) {
  std::vector<std::vector<std::string>> made(4);
  std::vector<std::thread> threads;
  for (auto& ids : made) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 10'000; ++i) ids.emplace_back(fresh_request_id().view());
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> all;
  for (const auto& ids : made) {
    for (const auto& id : ids) {
      EXPECT_TRUE(looks_fresh(id)) << id;
      all.insert(id);
    }
  }
  EXPECT_EQ(all.size(), 40'000u);
  // Every digit turns up at every place (the digits are written a byte at a time, from a table).
  for (std::size_t place = 0; place < 32; ++place) {
    std::set<char> digits;
    for (const auto& id : all) digits.insert(id[place]);
    EXPECT_EQ(digits.size(), 16u) << "place " << place;
  }
}

}  // namespace
}  // namespace authgate::gateway
