#pragma once
// The server of the keep-alive tests (http_fetch_reuse_test.cpp for fetch(), http_fetch_async_reuse_test.cpp
// for async_fetch()): one fake identity provider (tests/integration/harness/idp.py over TLS) for the whole
// test program, which counts the connections that carried requests, so each test says how many handshakes a
// number of fetches cost.

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>

#include "fake_idp.hpp"
#include "net/http_fetch.hpp"

namespace authgate::net::reuse_test {

inline test::FakeIdp& idp() {
  static test::FakeIdp server;  // inline: one server process for every file that includes this
  return server;
}

inline std::shared_ptr<const HttpClient> reusing_client(
    std::size_t max_idle = 2, std::chrono::milliseconds idle_timeout = std::chrono::milliseconds(15'000)) {
  return *HttpClient::create(idp().ca_file(), ConnectionReuse{max_idle, idle_timeout});
}

// Control calls go over plain HTTP with their own one-shot client, so they never count.
inline boost::json::value control(const std::string& path, const std::string& json = {}) {
  const auto r = (*HttpClient::create())->fetch({idp().http_url() + path, !json.empty(), json, {}}, {});
  if (!r || r->status != 200) throw std::runtime_error("control call failed: " + path);
  return boost::json::parse(r->body);
}

inline void set_state(const std::string& json) { control("/_control/set", json); }

// Connections that carried requests, whatever their first path.
inline std::int64_t connections() {
  const boost::json::value stats = control("/_control/stats");
  std::int64_t n = 0;
  for (const auto& [path, count] : stats.at("connections").as_object()) n += count.as_int64();
  return n;
}

inline std::int64_t requests_to(const std::string& path) {
  const boost::json::value stats = control("/_control/stats");
  const auto* n = stats.at("counts").as_object().if_contains(path);
  return n == nullptr ? 0 : n->as_int64();
}

/// Every test starts and ends with a well-behaved server.
class ReuseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    set_state(R"({"connection_close":false,"close_silently":false,"drop_requests":0,"slow_seconds":3})");
  }
  void TearDown() override { SetUp(); }
};

}  // namespace authgate::net::reuse_test
