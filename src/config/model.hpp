#pragma once
// The configuration as plain structs: what load_yaml() produces and validate() checks. No yaml-cpp type
// ever leaves the loader. Every default here is the documented default (docs/configuration.md).

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/identity_headers.hpp"

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

/// Where an authenticated user of a forward proxy may go. The first rule whose users/groups name the user
/// (neither = every user) decides; no such rule → 403.
struct ProxyRule {
  std::vector<std::string> users, groups;
  std::vector<std::string> hosts{"*"};                 // "*", "example.com", "*.example.com", IP literals
  std::vector<std::string> ports{"80", "1025-65535"};  // plain HTTP destinations (Squid's Safe_ports idea)
  std::vector<std::string> connect_ports{"443"};       // CONNECT destinations
  std::vector<std::string> methods;                    // empty = any; CONNECT is a method too
  SourcePos pos;
};

/// A listener that is an authenticating forward proxy (RFC 9110 §11.7, docs/forward-proxy.md): 407 +
/// Proxy-Authenticate, absolute-form requests forwarded, CONNECT tunnelled.
struct ForwardProxy {
  std::vector<std::string> realms;         // challenge order
  std::vector<std::string> users, groups;  // who may use the proxy at all (neither = any user) → else 403
  std::vector<ProxyRule> rules{ProxyRule{}};
  /// Addresses in internal ranges (loopback, private, link-local, …) that may still be reached; everything
  /// else internal is refused on the address actually connected to.
  std::vector<std::string> allow_internal;
  Duration connect_timeout = std::chrono::seconds(5);    // resolve + connect → 504 beyond
  Duration response_timeout = std::chrono::seconds(60);  // plain HTTP: request sent → response head
  bool pass_identity = false;                            // X-Auth-* to origins (they are not ours)
};

/// A listener that answers decisions for a front proxy instead of forwarding (docs/forward-auth.md):
/// nginx auth_request, Traefik ForwardAuth, Caddy forward_auth, Envoy ext_authz, HAProxy.
struct ForwardAuth {
  std::string original_request;  // "x-forwarded", "x-original" or "envoy": where the original request is read
  /// Peers whose fields about the original request are believed; anyone else gets 403.
  std::vector<std::string> trusted_sources{"127.0.0.0/8", "::1"};
  std::string path_prefix;    // envoy: ext_authz's path_prefix, before the original path
  bool nginx_compat = false;  // answers nginx auth_request can pass on (X-Authgate-Status, 403, one field)
};

struct Listener {
  std::string name;
  std::string address = "127.0.0.1";  // IPv4/IPv6 literal or "localhost"
  std::uint16_t port = 8080;
  std::optional<ServerTls> tls;
  std::optional<ForwardProxy> forward_proxy;  // set: this listener is a forward proxy, not a reverse proxy
  std::optional<ForwardAuth> forward_auth;    // set: this listener answers decisions, it forwards nothing
  /// Front proxies (load balancers) whose X-Forwarded-For names the client: from a peer in these ranges
  /// the client address (logs, throttling) is the right-most entry not in them. Empty: the socket's.
  std::vector<std::string> trusted_proxies;
  SourcePos pos;
};

struct HttpLimits {
  std::size_t max_header_bytes = std::size_t{16} * 1024;  // whole request head → 431 beyond
  std::size_t max_header_count = 100;                     // → 431
  std::size_t max_uri_bytes = std::size_t{8} * 1024;      // → 414
  std::uint64_t max_body_bytes = 1ull << 30;              // per route overridable → 413; 0 = unlimited
  std::size_t max_chunk_metadata_bytes =
      std::size_t{4} * 1024;  // one chunk's extensions, or the trailers → 400
  std::uint64_t drain_bytes =
      std::uint64_t{64} * 1024;  // an unread body this small is read and dropped after a local reply
  Duration linger_timeout = std::chrono::seconds(2);  // closing on an unread body: input swallowed this long
  std::size_t linger_bytes = std::size_t{1024} * 1024;  // and at most this much
  std::size_t max_form_token_body_bytes =
      std::size_t{16} * 1024;  // a form body searched for access_token (RFC 6750 §2.2)
  std::size_t max_auth_int_body_bytes =
      std::size_t{64} * 1024;  // a body hashed for Digest qop=auth-int (RFC 7616 §3.4.3) → 413 beyond
  Duration header_timeout = std::chrono::seconds(10);  // first byte to end of head → 408
  Duration idle_timeout = std::chrono::seconds(60);    // keep-alive between requests
  Duration body_timeout = std::chrono::seconds(60);    // no body progress for this long → close
  std::size_t max_connections = 10000;
  /// Per client network (IPv4 address, IPv6 /64; trusted proxies exempt): open connections, and those of
  /// them still sending a request head. 0 = no limit.
  std::size_t max_connections_per_address = 1024;
  std::size_t max_pending_heads_per_address = 256;
  Duration max_hash_wait = std::chrono::seconds(2);  // a password hash expected to wait longer → 503
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
  std::size_t max_response_header_bytes = std::size_t{64} * 1024;  // a larger response head → 502
  UpstreamTls tls;
  SourcePos pos;
};

struct Store {
  std::string name;
  std::string type = "htpasswd";  // or "htdigest" (digest realms: Apache htdigest / authgate HA1 lines)
  std::string path;               // htpasswd or htdigest file
  std::string groups_path;        // optional Apache AuthGroupFile ("group: user1 user2")
  SourcePos pos;
};

/// Keys fetched over HTTPS: a JWKS URL, or an OpenID Connect issuer whose discovery document
/// (`<issuer>/.well-known/openid-configuration`) names the `jwks_uri`. Fetched by the gateway's JWKS
/// refresher; until the first fetch succeeds the realm answers 503, never 401.
struct RemoteKeys {
  std::string jwks_url;                                 // https://… (http:// only to loopback)
  std::string discovery_issuer;                         // https://issuer (discovery); exclusive with jwks_url
  Duration refresh_interval = std::chrono::minutes(5);  // upper bound; Cache-Control max-age may shorten it
  Duration min_refresh_interval = std::chrono::seconds(30);  // floor for max-age and unknown-kid refetches
  Duration timeout = std::chrono::seconds(5);                // connect + TLS + response, per fetch
  Duration refetch_wait = std::chrono::seconds(10);  // a token with an unknown kid waits this long at most
  std::string ca_file;                               // empty = system trust store
};

/// RFC 7662 token introspection for opaque tokens.
struct Introspection {
  std::string url;                 // https://… (http:// only to loopback)
  std::string client_id;           // HTTP Basic client credentials (RFC 7662 §2.1)
  std::string client_secret_file;  // the secret's bytes (one trailing newline removed); never inline
  Duration cache_ttl = std::chrono::seconds(60);          // a result is cached until min(exp, this)
  Duration negative_cache_ttl = std::chrono::seconds(5);  // refusals (inactive, expired, …); 0 = off
  Duration timeout = std::chrono::seconds(2);
  std::size_t max_idle_connections = 4;  // kept-alive connections to the endpoint; 0 = one per call
  std::size_t max_in_flight = 64;        // calls waiting for an answer at once; more → 503 at once
  Duration idle_timeout = std::chrono::seconds(15);
  std::string ca_file;  // empty = system trust store
};

/// `scheme: bearer` settings (docs/bearer.md). Exactly one key source: jwks_file, pem_file,
/// hmac_secret_file, remote (jwks_url or discovery_issuer), or introspection.
struct BearerRealm {
  std::string scope;  // optional scope="…" in every challenge
  std::string jwks_file, pem_file, hmac_secret_file;
  std::string key_id;  // kid for pem_file / hmac_secret_file
  std::optional<RemoteKeys> remote;
  std::optional<Introspection> introspection;
  std::vector<std::string> algorithms;  // required for JWT sources
  std::string issuer;
  std::vector<std::string> audiences;
  Duration leeway = std::chrono::seconds(60);
  bool require_exp = true;
  std::vector<std::string> required_claims;
  std::string typ;  // e.g. "at+jwt"; empty = not checked
  std::string user_claim = "sub";
  std::string groups_claim;  // empty = no groups
  std::size_t max_token_bytes = std::size_t{16} * 1024;
};

/// `scheme: digest` settings under the realm's `digest:` key (docs/digest.md).
struct DigestRealm {
  /// RFC 7616 §3.3 names, one challenge each in this order (strongest first); MD5 only for legacy clients.
  std::vector<std::string> algorithms{"SHA-256"};
  std::vector<std::string> qop{"auth"};  // "auth", "auth-int"
  bool userhash = false;                 // advertise userhash=true (RFC 7616 §3.4.4)
  Duration nonce_lifetime = std::chrono::minutes(5);
  /// Keys nonces (at least 32 bytes); empty = a random secret per process. Instances behind one load
  /// balancer need the same file (and a shared state store).
  std::string nonce_secret_file;
};

/// The schemes a realm may name. compile() switches over it without a default, so a new scheme does not
/// compile until every place that builds one handles it.
enum class SchemeKind : std::uint8_t { basic, bearer, digest };

/// The kind `scheme` names ("basic", "bearer", "digest", as validate() admits them), or nullopt.
inline std::optional<SchemeKind> scheme_kind(std::string_view scheme) noexcept {
  if (scheme == "basic") return SchemeKind::basic;
  if (scheme == "bearer") return SchemeKind::bearer;
  if (scheme == "digest") return SchemeKind::digest;
  return std::nullopt;
}

/// A protection space: one scheme, its realm string, and where its secrets live.
struct Realm {
  std::string name;
  std::string scheme = "basic";  // "basic", "bearer" or "digest"
  std::string realm;             // the realm sent in the challenge; defaults to `name`
  std::string store;             // Basic/Digest: name of a Store (htpasswd / htdigest)
  bool allow_plaintext = false;  // accept plaintext and DES-crypt htpasswd entries (warned at start)
  BearerRealm bearer;            // scheme: bearer only
  DigestRealm digest;            // scheme: digest only
  SourcePos pos;
};

struct RouteMatch {
  std::vector<std::string> hosts;  // empty = any host; exact, case-insensitive, "*.example.com" allowed
  std::string path = "/";          // prefix on segment boundaries unless `exact`
  bool exact = false;
  std::vector<std::string> methods;  // empty = any
};

/// One entry of `error_pages` (top level, or a route's): the operator's HTML page for a status the gateway
/// answers itself, sent instead of the built-in page to clients that prefer HTML (docs/configuration.md).
struct ErrorPage {
  int status = 0;
  std::string file;  // resolved against the config file's directory
};

struct Route {
  std::string name;
  RouteMatch match;
  std::string upstream;             // name of an Upstream; may be empty when no listener proxies to routes
  bool anonymous = false;           // `auth: anonymous`
  std::vector<std::string> realms;  // accepted realms, challenge order
  std::vector<std::string> users;   // allow-list (empty with empty groups = any user)
  std::vector<std::string> groups;
  std::vector<std::string> scopes;  // Bearer: every one must be granted (403 insufficient_scope)
  std::map<std::string, std::vector<std::string>, std::less<>> claims;  // Bearer: claim → any of values
  bool token_in_query = false;      // Bearer: accept ?access_token= (RFC 6750 §2.3); off by default
  bool token_in_form = false;       // Bearer: accept a form-body access_token (RFC 6750 §2.2)
  bool pass_authorization = false;  // forward the client's Authorization upstream
  std::optional<std::uint64_t> max_body_bytes;
  std::vector<ErrorPage> error_pages;  // over the top-level ones, status by status
  SourcePos pos;
};

using IdentityHeaders = gateway::IdentityHeaders;  // defined by the HTTP layer that uses it

struct Cache {
  Duration ttl = std::chrono::minutes(5);
  std::size_t max_entries = 10000;
};

/// One failure limit of brute-force throttling (docs/throttling.md): `max_failures` failures within a
/// fixed `window` bans the key for `ban`.
struct ThrottleLimit {
  std::uint32_t max_failures = 0;  // 0 = this kind of key is not counted
  Duration window = std::chrono::minutes(5);
  Duration ban = std::chrono::minutes(15);
};

/// Brute-force throttling: failed verifications counted per claimed user name and per client address;
/// beyond a limit → 429 + Retry-After without verifying anything.
struct Throttle {
  ThrottleLimit users{10, std::chrono::minutes(5), std::chrono::minutes(15)};
  ThrottleLimit addresses{50, std::chrono::minutes(5), std::chrono::minutes(15)};
  unsigned ipv6_prefix = 64;  // an IPv6 client counts as its /64 (one subscriber's whole network)
  bool per_realm = false;     // count user names per realm instead of across realms
};

/// `state.redis`: the StateStore shared by every gateway instance pointing at one Redis (docs/operations.md,
/// "Running several instances"). `pool` connections per process for a given url, prefix, password,
/// timeout, TLS settings (and the bytes of their files) and pool, kept across reloads.
struct RedisState {
  /// `state.redis.tls`: present (even empty), or a `rediss://` url, turns TLS on. The server's certificate
  /// is always verified; there is no switch to turn that off.
  struct Tls {
    std::string ca_file;      // PEM trust anchors; empty: the system's trust store
    std::string cert_file;    // client certificate chain for mutual TLS; with key_file, or neither
    std::string key_file;     // its unencrypted PEM private key
    std::string server_name;  // the name the certificate must hold (and SNI); empty: the url's host
  };

  std::string url = "redis://127.0.0.1:6379/0";       // net::parse_redis_url() syntax; a unix socket too
  Duration timeout = std::chrono::milliseconds(250);  // per operation: the most a request waits for Redis
  std::string key_prefix = "authgate:";               // no `{` or `}` (they would move the hash tag)
  std::string password_file;                          // AUTH password; empty: none (or the url's)
  std::optional<Tls> tls;                             // absent: plain TCP (unless the url is rediss://)
  std::size_t pool = 1;                               // connections per process, 1..64
};

/// `state`: where failure counters and Digest nonce counts live. No `redis`: in this process's memory.
struct SharedState {
  std::optional<RedisState> redis;
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
  std::uint16_t port = 9199;  // off 9090, which Prometheus itself listens on
  /// The bearer token POST /revocations requires (read at each request); empty: loopback peers only.
  std::string revoke_token_file;
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
  std::optional<Throttle> throttle;  // absent: no throttling
  SharedState state;                 // default: in memory
  AccessLog access_log;
  std::vector<ErrorPage> error_pages;  // every answer's, unless its route names its own for that status
};

}  // namespace authgate::config
