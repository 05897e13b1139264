// `authgate demo`: the gateway with nothing to set up. A built-in echo upstream behind /public
// (anonymous), /private (any user, Basic), /admin (group admins) and /digest (any user, Digest SHA-256);
// two users with printed passwords, stored as bcrypt in a temporary htpasswd file and as HA1s in a
// temporary htdigest file, removed on exit; a forward-proxy listener (--proxy) to the echo origin only;
// ready-to-paste curl lines.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <openssl/crypto.h>

#include "authgate/schemes/digest_algorithm.hpp"
#include "authgate/stores/digest_edit.hpp"
#include "authgate/stores/password_hash.hpp"
#include "authgate/version.hpp"
#include "command.hpp"
#include "config/compile.hpp"
#include "echo_upstream.hpp"
#include "gateway/server.hpp"

namespace authgate::app {
namespace {

struct DemoUser {
  const char* name;
  const char* password;  // fixed and printed: this is a demo
  const char* groups;
};
constexpr DemoUser demo_users[] = {{"alice", "wonderland", "admins"}, {"bob", "builder", ""}};
constexpr int demo_bcrypt_cost = 10;  // fast enough to start in a blink, real enough to show the cache
// The Digest realm string: no '"' or '\\', which curl would hash with their escapes (docs/digest.md).
constexpr const char* digest_realm = "authgate demo digest";

/// A private temporary directory, removed with everything in it when the demo ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "authgate-demo-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("cannot create a temporary directory");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const char* name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out{path, std::ios::trunc};
  out << content;
  if (!out) throw std::runtime_error("cannot write " + path);
  ::chmod(path.c_str(), 0600);
}

void write_users(const TempDir& dir) {
  std::string htpasswd;
  std::string groups = "admins:";
  for (const auto& user : demo_users) {
    auto hash = stores::hash_bcrypt(user.password, demo_bcrypt_cost);
    if (!hash) throw std::runtime_error("bcrypt is not available");
    htpasswd += std::string{user.name} + ":" + *hash + "\n";
    if (std::string_view{user.groups} == "admins") groups += std::string{" "} + user.name;
  }
  write_file(dir.file("users.htpasswd"), htpasswd);
  write_file(dir.file("groups.txt"), groups + "\n");
}

/// The same users for Digest: one HA1 per hash family (SHA-256, SHA-512-256, and MD5 for old clients).
void write_digest_users(const TempDir& dir) {
  using schemes::digest::Algorithm;
  std::string content;
  for (const auto& user : demo_users) {
    stores::DigestRecord record{user.name, digest_realm, {}, 0};
    record.ha1[static_cast<std::size_t>(stores::DigestHash::md5)] =
        schemes::digest::ha1(Algorithm::md5, user.name, digest_realm, user.password);
    record.ha1[static_cast<std::size_t>(stores::DigestHash::sha256)] =
        schemes::digest::ha1(Algorithm::sha256, user.name, digest_realm, user.password);
    record.ha1[static_cast<std::size_t>(stores::DigestHash::sha512_256)] =
        schemes::digest::ha1(Algorithm::sha512_256, user.name, digest_realm, user.password);
    auto edited = stores::upsert_digest_line(content, record);
    for (auto& ha1 : record.ha1) OPENSSL_cleanse(ha1.data(), ha1.size());
    if (!edited) throw std::runtime_error("cannot write the demo digest file: " + edited.error());
    content = std::move(edited->content);
  }
  write_file(dir.file("users.htdigest"), content);
}

/// The operator's own page for /admin's 403 (config `error_pages`), shown to clients that prefer HTML.
constexpr const char* admins_only_page =
    "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Admins only</title>\n"
    "</head>\n<body>\n<h1>Admins only</h1>\n<p>This is the demo's own page for /admin's 403 "
    "(error_pages). Sign in as alice to get in.</p>\n</body>\n</html>\n";

/// "127.0.0.1:8080" or "[::1]:8080" → address and port.
std::pair<std::string, std::uint16_t> split_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("expected ADDRESS:PORT, got " + text);
  std::string host = text.substr(0, colon);
  if (host.size() > 1 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const int port = std::atoi(text.c_str() + colon + 1);
  if (port <= 0 || port > 65535) throw std::runtime_error("bad port in " + text);
  return {host, static_cast<std::uint16_t>(port)};
}

config::Route route(const char* name, const char* path, bool anonymous, const char* group = nullptr) {
  config::Route r;
  r.name = name;
  r.match.path = path;
  r.upstream = "echo";
  r.anonymous = anonymous;
  if (!anonymous) r.realms = {"demo"};
  if (group != nullptr) r.groups = {group};
  return r;
}

/// A forward proxy (407, Proxy-Authorization, CONNECT) for the demo's users, to the echo origin only.
config::Listener proxy_listener(const std::string& proxy, std::uint16_t echo_port) {
  auto [address, port] = split_host_port(proxy);
  config::ForwardProxy forward;
  forward.realms = {"demo"};
  config::ProxyRule rule;
  rule.hosts = {"127.0.0.1"};
  rule.ports = {std::to_string(echo_port)};
  rule.connect_ports = {std::to_string(echo_port)};
  forward.rules = {rule};
  forward.allow_internal = {"127.0.0.1"};  // the echo origin is on loopback, like everything here
  return config::Listener{"demo-proxy", address, port, std::nullopt, forward, std::nullopt, {}, {}};
}

/// A forward-auth decision endpoint for the demo's own routes, asked as Traefik and Caddy ask
/// (X-Forwarded-*), trusting loopback only.
config::Listener decision_listener(const std::string& decide) {
  auto [address, port] = split_host_port(decide);
  config::ForwardAuth auth;
  auth.original_request = "x-forwarded";
  return config::Listener{"demo-decide", address, port, std::nullopt, std::nullopt, auth, {}, {}};
}

config::Config demo_config(const TempDir& dir, std::uint16_t echo_port, const std::string& listen,
                           const std::string& admin, const std::string& proxy, const std::string& decide) {
  config::Config c;
  auto [address, port] = split_host_port(listen);
  c.listeners.push_back(
      config::Listener{"demo", address, port, std::nullopt, std::nullopt, std::nullopt, {}, {}});
  c.listeners.push_back(proxy_listener(proxy, echo_port));
  c.listeners.push_back(decision_listener(decide));
  auto [admin_address, admin_port] = split_host_port(admin);
  c.admin = config::Admin{admin_address, admin_port, {}, {}};
  config::Upstream echo;
  echo.name = "echo";
  echo.url = "http://127.0.0.1:" + std::to_string(echo_port);
  c.upstreams.push_back(echo);
  c.stores.push_back(
      config::Store{"demo", "htpasswd", dir.file("users.htpasswd"), dir.file("groups.txt"), {}});
  c.realms.push_back(config::Realm{"demo", "basic", "authgate demo", "demo", false, {}, {}, {}});
  c.stores.push_back(
      config::Store{"demo-digest", "htdigest", dir.file("users.htdigest"), dir.file("groups.txt"), {}});
  config::Realm digest{"demo-digest", "digest", digest_realm, "demo-digest", false, {}, {}, {}};
  // SHA-256 first (curl, python, httpx, Chromium); MD5 after it for clients that know nothing else.
  digest.digest.algorithms = {"SHA-256", "MD5"};
  c.realms.push_back(digest);
  auto digest_route = route("digest", "/digest", false);
  digest_route.realms = {"demo-digest"};
  auto admin_route = route("admin", "/admin", false, "admins");
  admin_route.error_pages = {config::ErrorPage{403, dir.file("admins-only.html")}};
  c.routes = {route("public", "/public", true), route("private", "/private", false), admin_route,
              digest_route};
  return c;
}

void print_banner(const gateway::BoundListener& listener, const gateway::BoundListener& proxy,
                  const gateway::BoundListener& decide, std::uint16_t echo_port, const std::string& admin) {
  const auto base = "http://" + listener.address + ":" + std::to_string(listener.port);
  const auto proxy_url = "http://" + proxy.address + ":" + std::to_string(proxy.port);
  const auto decide_url = "http://" + decide.address + ":" + std::to_string(decide.port) + "/";
  // What Traefik's ForwardAuth (and Caddy's forward_auth) send about the request they hold.
  const std::string asked =
      "-H 'X-Forwarded-Method: GET' -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: app.example' ";
  const auto origin = "http://127.0.0.1:" + std::to_string(echo_port) + "/hello";
  std::printf(
      "\nauthgate demo: a built-in echo upstream behind %s\n"
      "  /public   anonymous\n  /private  any user (Basic)\n  /admin    group admins (Basic)\n"
      "  /digest   any user (Digest, RFC 7616: SHA-256, and MD5 for old clients)\n"
      "users (realms \"authgate demo\" and \"authgate demo digest\"): alice / wonderland (admins), "
      "bob / builder\n\n"
      "try:\n"
      "curl -i %s/public\n"
      "curl -i %s/private\n"
      "curl -i -u alice:wonderland %s/private\n"
      "curl -i -u bob:builder %s/admin\n"
      "curl -i -u alice:wonderland %s/admin\n"
      "curl -i -u alice:wrong %s/private\n"
      "curl -I -u bob:builder %s/private\n"
      "curl -i --digest -u alice:wonderland %s/digest\n"
      "curl -i --digest -u alice:wrong %s/digest\n"
      "what a browser gets (an HTML page; /admin's 403 is the demo's own, from error_pages):\n"
      "curl -i -H 'Accept: text/html' %s/private\n"
      "curl -i -H 'Accept: text/html' -u bob:builder %s/admin\n"
      "forward proxy (407, Proxy-Authorization) on %s, to the echo origin %s only:\n"
      "curl -i -x %s --proxy-user alice:wonderland %s\n"
      "curl -i -x %s %s\n"
      "forward-auth decisions on %s for the routes above, asked as Traefik ForwardAuth asks:\n"
      "curl -i %s-H 'X-Forwarded-Uri: /private' -u alice:wonderland %s\n"
      "curl -i %s-H 'X-Forwarded-Uri: /private' %s\n"
      "curl -i %s-H 'X-Forwarded-Uri: /admin' -u bob:builder %s\n"
      "metrics:  curl -s http://%s/metrics\n"
      "revoke bob everywhere for a minute (POST /revocations on the admin listener), then he gets 401:\n"
      "authgate revoke --admin %s --user bob --for 1m\n"
      "Ctrl-C stops the demo.\n\n",
      base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(),
      base.c_str(), base.c_str(), base.c_str(), base.c_str(), base.c_str(), proxy_url.c_str(), origin.c_str(),
      proxy_url.c_str(), origin.c_str(), proxy_url.c_str(), origin.c_str(), decide_url.c_str(), asked.c_str(),
      decide_url.c_str(), asked.c_str(), decide_url.c_str(), asked.c_str(), decide_url.c_str(), admin.c_str(),
      admin.c_str());
  std::fflush(stdout);
}

int run_demo(const std::string& listen, const std::string& admin, const std::string& proxy,
             const std::string& decide) {
  gateway::log_to_stderr();
  TempDir dir;
  write_users(dir);
  write_digest_users(dir);
  write_file(dir.file("admins-only.html"), admins_only_page);
  auto echo = EchoUpstream::start();
  auto snapshot = config::compile(demo_config(dir, echo->port(), listen, admin, proxy, decide), 1);
  if (!snapshot) {
    for (const auto& problem : snapshot.error()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    return 1;
  }
  gateway::ServerOptions options;
  options.version = authgate::version;
  options.on_ready = [admin, echo_port = echo->port()](const std::vector<gateway::BoundListener>& listeners) {
    if (listeners.size() >= 3) print_banner(listeners[0], listeners[1], listeners[2], echo_port, admin);
  };
  return gateway::run_server(*snapshot, std::move(options));
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration demo_command{
    5, [](CLI::App& app) {
      auto* sub = app.add_subcommand("demo", "Run a self-contained demo: echo upstream, users, curl lines");
      auto listen = std::make_shared<std::string>("127.0.0.1:8080");
      auto admin = std::make_shared<std::string>("127.0.0.1:9199");
      auto proxy = std::make_shared<std::string>("127.0.0.1:3128");
      auto decide = std::make_shared<std::string>("127.0.0.1:9091");
      sub->add_option("--listen", *listen, "Address and port of the demo listener")->capture_default_str();
      sub->add_option("--admin", *admin, "Address and port of the admin listener (/metrics, /healthz)")
          ->capture_default_str();
      sub->add_option("--proxy", *proxy, "Address and port of the demo's forward-proxy listener")
          ->capture_default_str();
      sub->add_option("--decide", *decide, "Address and port of the demo's forward-auth decision listener")
          ->capture_default_str();
      return Command{sub,
                     [listen, admin, proxy, decide] { return run_demo(*listen, *admin, *proxy, *decide); }};
    }};

}  // namespace
}  // namespace authgate::app
