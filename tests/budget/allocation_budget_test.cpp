// The allocation budget of the request path (issue 19, bench/README.md "Allocations per request"): heap
// allocations made on the gateway's I/O thread per request, counted by a malloc that counts, for each
// kind of request of bench/cost, on one keep-alive connection after a warm-up. The test fails when a kind
// goes above its ceiling: a change that adds an allocation to the request path must say so here.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "authgate/grammar/base64.hpp"
#include "counting_malloc.hpp"
#include "session_harness.hpp"

namespace authgate::gateway::testing {
namespace {

const std::string hmac_secret(32, 'k');

// `more_claims` (",\"name\":…") go at the end of the claims set.
std::string bearer_token(const std::string& more_claims = "") {
  const std::string signing_input =
      grammar::encode_base64url(R"({"alg":"HS256","typ":"JWT"})") + "." +
      grammar::encode_base64url(R"({"sub":"alice","iss":"https://issuer.example","aud":"api",)"
                                R"("scope":"read write","groups":["admins","staff"],"exp":4102444800)" +
                                more_claims + "}");
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), hmac_secret.data(), static_cast<int>(hmac_secret.size()),
       reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size(), mac, &mac_size);
  return signing_input + "." + grammar::encode_base64url({reinterpret_cast<const char*>(mac), mac_size});
}

// The test config plus a Bearer realm (HS256: a cached token costs the same whatever signed it) on /api.
void add_bearer(config::Config& config, const std::string& secret_file) {
  config::Realm realm;
  realm.name = "api";
  realm.scheme = "bearer";
  realm.realm = "api";
  realm.bearer.hmac_secret_file = secret_file;
  realm.bearer.algorithms = {"HS256"};
  realm.bearer.issuer = "https://issuer.example";
  realm.bearer.audiences = {"api"};
  config.realms.push_back(realm);
  config::Route route;
  route.name = "api";
  route.match.path = "/api";
  route.upstream = "echo";
  route.realms = {"api"};
  config.routes.insert(config.routes.begin(), route);
}

// What bench/cost sends: a browser-like head, the credentials last.
std::string request(const std::string& method, const std::string& path, const std::string& extra = "",
                    const std::string& body = "") {
  std::string head = method + " " + path +
                     " HTTP/1.1\r\nHost: app.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) "
                     "Firefox/128.0\r\nAccept: application/json\r\nAccept-Encoding: gzip, deflate, br\r\n"
                     "Connection: keep-alive\r\n" +
                     extra;
  if (!body.empty()) head += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return head + "\r\n" + body;
}

struct Kind {
  std::string name;
  std::string request;
  int status;
  // Allocations per request this code may not go above: today's count plus a half for a timer tick that
  // lands in the window. Issue 19's targets are 5 per proxied request and 2 per 401 (bench/README.md,
  // "Allocations per request", says where the rest come from and what removes them).
  double ceiling;
  // When set, the i-th request instead of `request` (a new token each time).
  std::function<std::string(int)> nth = {};
};

class AllocationBudget : public ::testing::TestWithParam<Kind> {};

TEST_P(AllocationBudget, StaysUnderItsCeiling) {
  const Kind& kind = GetParam();
  const auto secret =
      std::filesystem::temp_directory_path() / ("authgate-budget-" + std::to_string(::getpid()));
  std::ofstream(secret) << hmac_secret;
  TestGateway gateway([&](config::Config& config) { add_bearer(config, secret.string()); });
  gateway.stop_recording();
  Client client(gateway.port());
  int sent = 0;
  const auto exchange = [&] {
    client.send(kind.nth ? kind.nth(sent++) : kind.request);
    const std::string response = client.read_response();
    ASSERT_EQ(status_of(response), kind.status) << response;
  };
  for (int i = 0; i < 50; ++i) exchange();  // warm: the verify cache, the upstream connection, the pools
  constexpr int requests = 500;
  gateway.run_on_io_thread([] { authgate::testing::count_this_thread(true); });
  const auto before = authgate::testing::counted_allocations();
  for (int i = 0; i < requests; ++i) exchange();
  const auto after = authgate::testing::counted_allocations();
  gateway.run_on_io_thread([] { authgate::testing::count_this_thread(false); });
  authgate::testing::print_traced_stacks();
  std::filesystem::remove(secret);
  const double per_request = static_cast<double>(after - before) / requests;
  std::cout << "[ budget   ] " << kind.name << ": " << per_request << " allocations per request (ceiling "
            << kind.ceiling << ")\n";
  EXPECT_LE(per_request, kind.ceiling) << kind.name;
}

const std::string basic = "Authorization: Basic YWxpY2U6d29uZGVybGFuZA==\r\n";  // alice:wonderland

// A token never seen before, with the claims an identity provider usually adds (Keycloak's, trimmed):
// each one verifies, and what its identity keeps is copied.
std::string new_bearer_request(int n) {
  const std::string claims = R"(,"jti":"t-)" + std::to_string(n) +
                             R"(","iat":1700000000,"nbf":1700000000,"typ":"Bearer","azp":"web","sid":"s-1",)"
                             R"("acr":"1","email_verified":true,"name":"Alice Liddell",)"
                             R"("preferred_username":"alice","given_name":"Alice","family_name":"Liddell",)"
                             R"("email":"alice@example.com")";
  return request("GET", "/api/item", "Authorization: Bearer " + bearer_token(claims) + "\r\n");
}

INSTANTIATE_TEST_SUITE_P(
    RequestPath, AllocationBudget,
    ::testing::Values(
        Kind{"NoAuthGetProxied", request("GET", "/public/item"), 200, 0.5},
        Kind{"Unauthorized401", request("GET", "/private/item"), 401, 0.5},
        Kind{"CachedBasicProxied", request("GET", "/private/item", basic), 200, 0.5},
        Kind{"CachedBearerProxied",
             request("GET", "/api/item", "Authorization: Bearer " + bearer_token() + "\r\n"), 200, 0.5},
        Kind{"PostOf4KiBProxied", request("POST", "/public/upload", "", std::string(4096, 'x')), 200, 1.5},
        // A miss: the HS256 verification through OpenSSL, the parsed claims, the Identity and its cache
        // entry. 64 while every claim was copied into Identity::claims; 24 since it keeps only those a route
        // asks for.
        Kind{"NewBearerTokenProxied", {}, 200, 24.5, new_bearer_request}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::gateway::testing
