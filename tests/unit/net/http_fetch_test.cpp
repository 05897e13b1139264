// The gateway's HTTP client against a real local server (tests/integration/harness/idp.py) over plain
// HTTP and TLS with a CA made for the test: verification, limits, deadline, no redirects.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

#include "fake_idp.hpp"
#include "net/http_fetch.hpp"
#include "net/http_fetch_async.hpp"

namespace authgate::net {
namespace {

using std::chrono::milliseconds;

test::FakeIdp& idp() {
  static test::FakeIdp server;  // one server process for the whole test program
  return server;
}

std::shared_ptr<const HttpClient> client(const std::string& ca_file) { return *HttpClient::create(ca_file); }

FetchResult get(const std::string& url, milliseconds timeout = milliseconds(5000)) {
  return client(idp().ca_file())->fetch({url, false, {}, {}}, {timeout, std::size_t{1} << 20});
}

void set_state(const std::string& json) {
  const auto r = client({})->fetch({idp().http_url() + "/_control/set", true, json, {}}, {});
  ASSERT_TRUE(r.has_value() && r->status == 200);
}

TEST(HttpFetch, GetsOverTlsVerifiedAgainstTheConfiguredCa) {
  set_state(R"({"jwks":{"keys":[]},"cache_control":"max-age=77"})");
  const auto r = get(idp().https_url() + "/jwks");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(r->body, R"({"keys": []})");
  EXPECT_EQ(r->cache_control, "max-age=77");
  EXPECT_EQ(r->content_type, "application/json");
  set_state(R"({"cache_control":null})");
}

TEST(HttpFetch, PlainHttpWorksToLoopback) {
  const auto r = get(idp().http_url() + "/jwks");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->status, 200u);
}

TEST(HttpFetch, AServerOutsideTheTrustStoreIsRefused) {
  // The system store does not know the test CA: the handshake must fail, not fall back to no checks.
  const auto r = client({})->fetch({idp().https_url() + "/jwks", false, {}, {}}, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::tls_failed) << r.error().message();
}

TEST(HttpFetch, ACertificateForAnotherNameIsRefused) {
  // Same CA, but the certificate names wrong.example, not 127.0.0.1 (RFC 6125 host-name check).
  const auto r = get(idp().wrong_name_url() + "/jwks");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::tls_failed) << r.error().message();
}

TEST(HttpFetch, RedirectsAreNotFollowed) {
  const auto r = get(idp().https_url() + "/redirect");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::redirect);
  EXPECT_EQ(r.error().message(), "redirect: HTTP 302 (redirects are not followed)");
}

TEST(HttpFetch, ABodyOverTheLimitIsRefused) {
  const auto r = get(idp().https_url() + "/big");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::too_large);
}

TEST(HttpFetch, TheDeadlineCoversTheWholeExchange) {
  set_state(R"({"slow_seconds":3})");
  const auto start = std::chrono::steady_clock::now();
  const auto r = get(idp().https_url() + "/slow", milliseconds(300));
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::timeout);
  EXPECT_LT(took, milliseconds(1500));
}

TEST(HttpFetch, ARefusedConnectionIsAnError) {
  const auto r = get("http://127.0.0.1:1/jwks");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::connect_failed);
}

TEST(HttpFetch, NonSuccessStatusesAreResponses) {
  const auto r = get(idp().https_url() + "/nothing-here");
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404u);
}

TEST(HttpFetch, HttpToAnotherHostIsRefusedBeforeConnecting) {
  const auto r = get("http://192.0.2.1/jwks");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::bad_url);
}

TEST(HttpFetch, PostSendsTheFormBodyAndAuthorization) {
  const auto r =
      client(idp().ca_file())
          ->fetch({idp().https_url() + "/echo", true, "token=abc&x=%2B", "Basic Zm9vOmJhcg=="}, {});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_NE(r->body.find(R"("body": "token=abc&x=%2B")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("Authorization": "Basic Zm9vOmJhcg==")"), std::string::npos) << r->body;
  EXPECT_NE(r->body.find(R"("Content-Type": "application/x-www-form-urlencoded")"), std::string::npos);
  EXPECT_NE(r->body.find(R"("Host": "127.0.0.1:)"), std::string::npos);
}

TEST(HttpFetch, AnAuthorizationWithALineBreakIsRefused) {
  const auto r = client({})->fetch({idp().http_url() + "/echo", false, {}, "Basic x\r\nX-Evil: 1"}, {});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, FetchErrc::bad_url);
}

TEST(HttpFetch, AnUnreadableCaFileIsATlsSetupError) {
  const auto c = HttpClient::create("/nonexistent/ca.pem");
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, FetchErrc::tls_setup);
}

TEST(HttpFetch, TheAwaitableFormRunsOnTheCallersContext) {
  boost::asio::io_context io;
  std::optional<FetchResult> out;
  const auto c = client(idp().ca_file());
  FetchRequest request{idp().https_url() + "/jwks", false, {}, {}};  // named: see jwks_fetch.cpp
  boost::asio::co_spawn(io, async_fetch(*c, std::move(request), {}),
                        [&](std::exception_ptr, FetchResult r) { out = std::move(r); });
  io.run();
  ASSERT_TRUE(out && out->has_value());
  EXPECT_EQ((*out)->status, 200u);
}

TEST(HttpFetch, OneClientServesManyThreadsAtOnce) {
  const auto c = client(idp().ca_file());
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        const auto r = c->fetch({idp().https_url() + "/jwks", false, {}, {}}, {});
        if (r && r->status == 200) ++ok;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(ok.load(), 20);
}

}  // namespace
}  // namespace authgate::net
