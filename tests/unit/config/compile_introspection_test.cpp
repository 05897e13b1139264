// compile() of an introspection realm: the client secret file (one trailing newline dropped) and the
// realm's settings reach a working RFC 7662 scheme, checked against a local fake authorization server.
#include <gtest/gtest.h>

#include <fstream>

#include "config/compile.hpp"
#include "config/load_yaml.hpp"
#include "fake_idp.hpp"
#include "net/http_fetch.hpp"

namespace authgate::config {
namespace {

TEST(CompileIntrospection, BuildsAWorkingSchemeFromTheSecretFile) {
  test::FakeIdp idp;
  const auto secret = idp.dir() / "client.secret";
  std::ofstream(secret) << "p:w d\n";  // ':' and ' ' survive the RFC 6749 §2.3.1 encoding
  const auto control = *net::HttpClient::create();
  const auto set = control->fetch(
      {idp.http_url() + "/_control/set",
       true,
       R"({"client_secret":"p:w d","introspection":{"tok-1":{"active":true,"sub":"alice","scope":"read"}}})",
       {}},
      {});
  ASSERT_TRUE(set && set->status == 200);
  const std::string yaml =
      "listeners:\n  - port: 8080\nupstreams:\n  app: {url: \"http://127.0.0.1:3000\"}\n"
      "realms:\n  opaque:\n    scheme: bearer\n    scope: read\n    introspection:\n"
      "      url: \"" +
      idp.https_url() +
      "/introspect\"\n      client_id: gateway\n"
      "      client_secret_file: " +
      secret.string() + "\n      ca_file: " + idp.ca_file() +
      "\n"
      "      cache_ttl: 30s\n      negative_cache_ttl: 2s\n      max_idle_connections: 2\n"
      "      idle_timeout: 30s\n    leeway: 5s\nroutes:\n  - upstream: app\n    auth: {realms: [opaque], "
      "scopes: [read]}\n";
  auto config = load_yaml_string(yaml, "introspection.yaml");
  ASSERT_TRUE(config.has_value());
  auto snapshot = compile(std::move(*config), 1);
  ASSERT_TRUE(snapshot.has_value()) << (*snapshot.error().begin()).to_string();
  const CompiledRealm& realm = (*snapshot)->realms.front();
  EXPECT_EQ(realm.live_keys, nullptr);
  EXPECT_EQ(realm.remote, nullptr);
  ASSERT_EQ(realm.scheme->work({"Bearer", std::string("tok-1"), {}}), Work::waits)
      << "a network call: awaited";
  const Outcome outcome = realm.scheme->authenticate({"Bearer", std::string("tok-1"), {}}, {});
  ASSERT_TRUE(std::holds_alternative<Authenticated>(outcome)) << "the server accepted our client credentials";
  EXPECT_EQ(std::get<Authenticated>(outcome).identity->user, "alice");
  const auto& watched = (*snapshot)->watched_files;
  EXPECT_NE(std::find(watched.begin(), watched.end(), secret.string()), watched.end())
      << "a rotated client secret reloads the config";
}

}  // namespace
}  // namespace authgate::config
