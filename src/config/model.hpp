#pragma once
// The configuration as plain structs: what load_yaml() produces and validate() checks. No yaml-cpp type
// ever leaves the loader. Every default here is the documented default (docs/configuration.md).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace authgate::config {

using Duration = std::chrono::milliseconds;

/// Where a value came from, for `file:line:col: path: reason` messages.
struct SourcePos {
  std::string file;
  int line = 0;    // 1-based; 0 = not from a file (built-in demo, defaults)
  int column = 0;  // 1-based
};

struct ServerTls {
  std::string cert_file;            // PEM chain, leaf first
  std::string key_file;             // PEM private key
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct Listener {
  std::string name;
  std::string address = "127.0.0.1";  // IPv4/IPv6 literal or "localhost"
  std::uint16_t port = 8080;
  std::optional<ServerTls> tls;
  SourcePos pos;
};

struct HttpLimits {
  std::size_t max_header_bytes = 16 * 1024;            // whole request head → 431 beyond
  std::size_t max_header_count = 100;                  // → 431
  std::size_t max_uri_bytes = 8 * 1024;                // → 414
  std::uint64_t max_body_bytes = 1ull << 30;           // per route overridable → 413; 0 = unlimited
  Duration header_timeout = std::chrono::seconds(10);  // first byte to end of head → 408
  Duration idle_timeout = std::chrono::seconds(60);    // keep-alive between requests
  Duration body_timeout = std::chrono::seconds(60);    // no body progress for this long → close
  std::size_t max_connections = 10000;
};

struct UpstreamTls {
  bool verify = true;       // verify the upstream certificate chain and host name
  std::string ca_file;      // empty = system trust store
  std::string server_name;  // SNI / verified name; empty = the URL host
};

struct Upstream {
  std::string name;
  std::string url;  // http://host:port[/base] or https://…
  Duration connect_timeout = std::chrono::seconds(5);
  Duration response_timeout = std::chrono::seconds(60);  // request sent → response head received → 504
  std::size_t max_idle_connections = 64;
  Duration idle_timeout = std::chrono::seconds(30);  // pooled connection unused this long is closed
  UpstreamTls tls;
  SourcePos pos;
};

struct Store {
  std::string name;
  std::string type = "htpasswd";
  std::string path;         // htpasswd file
  std::string groups_path;  // optional Apache AuthGroupFile ("group: user1 user2")
  SourcePos pos;
};

/// A protection space: one scheme, its realm string, and where its secrets live.
struct Realm {
  std::string name;
  std::string scheme = "basic";  // "basic" (later "digest", "bearer")
  std::string realm;             // the realm sent in the challenge; defaults to `name`
  std::string store;             // Basic/Digest: name of a Store
  bool allow_plaintext = false;  // accept plaintext and DES-crypt htpasswd entries (warned at start)
  SourcePos pos;
};

struct RouteMatch {
  std::vector<std::string> hosts;  // empty = any host; exact, case-insensitive, "*.example.com" allowed
  std::string path = "/";          // prefix on segment boundaries unless `exact`
  bool exact = false;
  std::vector<std::string> methods;  // empty = any
};

struct Route {
  std::string name;
  RouteMatch match;
  std::string upstream;             // name of an Upstream
  bool anonymous = false;           // `auth: anonymous`
  std::vector<std::string> realms;  // accepted realms, challenge order
  std::vector<std::string> users;   // allow-list (empty with empty groups = any user)
  std::vector<std::string> groups;
  bool pass_authorization = false;  // forward the client's Authorization upstream
  std::optional<std::uint64_t> max_body_bytes;
  SourcePos pos;
};

struct IdentityHeaders {
  std::string user = "X-Auth-User";
  std::string groups = "X-Auth-Groups";
  std::string scheme = "X-Auth-Scheme";
};

struct Cache {
  Duration ttl = std::chrono::minutes(5);
  std::size_t max_entries = 10000;
};

struct Server {
  unsigned io_threads = 0;                // 0 = number of cores
  unsigned worker_threads = 0;            // password hashing pool; 0 = number of cores
  std::size_t max_pending_hashes = 1024;  // queue bound; beyond it → 503
  Duration shutdown_grace = std::chrono::seconds(30);
  std::string unmatched = "404";  // status for a request no route matches: "404" or "403"
};

struct Admin {
  std::string address = "127.0.0.1";
  std::uint16_t port = 9090;
  SourcePos pos;
};

struct AccessLog {
  bool enabled = true;
  std::string path = "-";  // "-" = stdout
};

struct Config {
  std::string source_file;  // empty for the built-in demo
  /// Where each value was read, by dotted key path ("routes[1].match.path"). Filled by the loader, empty
  /// for in-code configs; used only to locate problems (see position_of() in config/problem.hpp).
  std::map<std::string, SourcePos, std::less<>> positions;
  Server server;
  HttpLimits limits;
  std::vector<Listener> listeners;
  std::optional<Admin> admin;
  std::vector<Upstream> upstreams;
  std::vector<Store> stores;
  std::vector<Realm> realms;
  std::vector<Route> routes;
  IdentityHeaders identity_headers;
  Cache cache;
  AccessLog access_log;
};

}  // namespace authgate::config
