#pragma once
// The compiled, immutable runtime form of a Config: what the gateway reads on every request. Built by
// compile() after validate() passed; swapped whole on reload (shared_ptr<const Snapshot>), so requests
// in flight finish on the snapshot they started with.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "authgate/clock.hpp"
#include "authgate/jose/jwks.hpp"
#include "authgate/policy/requirement.hpp"
#include "authgate/scheme.hpp"
#include "authgate/schemes/extraction.hpp"
#include "authgate/schemes/key_refetch.hpp"
#include "authgate/stores/password_store.hpp"
#include "authgate/stores/state_store.hpp"
#include "config/model.hpp"
#include "config/upstream_url.hpp"
#include "http/local_reply.hpp"
#include "http/original_request.hpp"
#include "net/destination_policy.hpp"

namespace authgate::config {

struct CompiledRealm {
  std::string name;
  std::shared_ptr<const Scheme> scheme;
  /// Bearer with remote keys (jwks_url / discovery_issuer): the slot the scheme verifies against, empty
  /// until the gateway's JWKS refresher installs the first fetched set; `remote` points into
  /// Snapshot::config. Both null for every other realm.
  std::shared_ptr<jose::LiveKeySet> live_keys;
  std::shared_ptr<schemes::KeyRefetchSlot> refetch;  // where the refresher attaches (remote keys only)
  const RemoteKeys* remote = nullptr;
};

/// A route's action once the request is allowed: forward it to an upstream (the reverse proxy), or the
/// forward proxy's "connect to the target". A forward-auth listener answers the verdict instead, whatever
/// the route's action (routes are shared by every listener that routes).
struct ForwardTo {
  const Upstream* upstream = nullptr;         // points into Snapshot::config; nullptr only for the demo echo
  const UpstreamUrl* upstream_url = nullptr;  // the parsed upstream->url; points into Snapshot::upstream_urls
};
struct CompiledForwardProxy;

/// `error_pages`, compiled (docs/configuration.md#error_pages): status → the page's bytes, read once per
/// load and shared by every route that names the same file.
struct ErrorPages {
  std::vector<std::pair<int, std::shared_ptr<const std::string>>> pages;
  /// The page for `status`, or nullptr (the built-in page). Allocation-free.
  const std::string* find(int status) const noexcept {
    for (const auto& [code, page] : pages) {
      if (code == status) return page.get();
    }
    return nullptr;
  }
};

/// A forward-proxy listener's action (docs/forward-proxy.md): the request's own destination, within the
/// rules of `proxy`.
struct ProxyTo {
  const CompiledForwardProxy* proxy = nullptr;
};
using RouteAction = std::variant<ForwardTo, ProxyTo>;

struct CompiledRoute {
  const Route* source = nullptr;  // points into Snapshot::config: names for logs, never read to decide
  RouteAction action;
  policy::Requirement requirement;
  std::vector<const CompiledRealm*> realms;  // challenge order; points into Snapshot::realms
  std::vector<const Scheme*> schemes;        // realms[i]->scheme, for challenges and extraction
  schemes::TokenLocations token_locations;   // RFC 6750 §2.2/§2.3 locations the route allows
  bool pass_authorization = false;           // forward the client's credentials field upstream
  std::uint64_t max_body_bytes = 0;          // 0 = unlimited
  /// Brute-force throttling and the store its counters live in (both point into the snapshot); nullptr:
  /// not throttled.
  const Throttle* throttle = nullptr;
  stores::StateStore* state = nullptr;
  ErrorPages error_pages;  // the route's own, then the top-level ones for the statuses it leaves out
  /// Every challenge of a plain 401/407, rendered at load; absent when a scheme varies them (Digest).
  std::optional<gateway::RenderedChallenges> fixed_challenges;
};

/// One rule of a forward proxy, parsed (config::ProxyRule).
struct CompiledProxyRule {
  std::vector<std::string> users, groups;  // neither: every user
  net::HostPatterns hosts;
  net::PortRanges ports, connect_ports;
  std::vector<std::string> methods;  // empty = any
};

/// A forward-proxy listener, compiled: the route every request on it is judged by (side proxy), and where
/// the authenticated user may go.
struct CompiledForwardProxy {
  std::string listener;
  const ForwardProxy* source = nullptr;  // points into Snapshot::config
  CompiledRoute route;                   // realms, users/groups; action ProxyTo{this}
  std::vector<CompiledProxyRule> rules;
  net::AddressRanges allow_internal;
};

/// A forward-auth listener, compiled (docs/forward-auth.md): how it reads the original request and whom
/// it believes. Its decisions use the snapshot's routes.
struct CompiledForwardAuth {
  std::string listener;
  gateway::OriginalStyle style = gateway::OriginalStyle::x_forwarded;
  net::AddressRanges trusted_sources;
  std::string path_prefix;  // envoy; empty otherwise
  bool nginx_compat = false;
};

/// Built only by compile() / load_snapshot() (config/compile.hpp), always behind
/// shared_ptr<const Snapshot>. Not copyable or movable: routes and realms point into it. Immutable and
/// therefore safe to read from any thread.
struct Snapshot {
  Snapshot() = default;
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  Config config;  // validated and normalised (methods upper-case, hosts lower-case, names defaulted)
  std::vector<CompiledRealm> realms;
  std::vector<CompiledRoute> routes;                  // same order as config.routes
  std::vector<CompiledForwardProxy> forward_proxies;  // one per forward-proxy listener
  std::vector<CompiledForwardAuth> forward_auths;     // one per forward-auth listener
  /// Listeners with trusted_proxies, parsed: (listener name, ranges).
  std::vector<std::pair<std::string, net::AddressRanges>> trusted_proxies;
  std::vector<UpstreamUrl> upstream_urls;                            // parallel to config.upstreams
  std::vector<std::shared_ptr<const stores::PasswordStore>> stores;  // htpasswd stores
  /// Where state beyond a request lives (Digest nonce counts): the process's, shared by every snapshot.
  std::shared_ptr<stores::StateStore> state;
  int unmatched_status = 404;              // server.unmatched, compiled: 404 or 403
  ErrorPages error_pages;                  // top-level: answers before or without a route
  std::uint64_t generation = 0;            // increases with every successful (re)load
  std::shared_ptr<const Clock> clock;      // the clock of token checks and cache expiry (never null)
  std::vector<std::string> watched_files;  // config + every store/group/cert file, for reload on change
  std::vector<std::string> warnings;       // e.g. Basic on a non-loopback plain listener; formatted
                                           // "file:line:col: warning: path: reason"

  /// The first route (in config order) whose hosts, path and methods all match, or nullptr (→ the
  /// `server.unmatched` status). `host`: the Host header's host without the port (IPv6 in brackets),
  /// any case. `path`: the normalised path without the query. `method`: as received (case-sensitive).
  /// Allocation-free; noexcept.
  const CompiledRoute* match(std::string_view host, std::string_view path,
                             std::string_view method) const noexcept;

  /// The forward proxy of the listener named `listener`, or nullptr (a reverse-proxy listener).
  const CompiledForwardProxy* forward_proxy(std::string_view listener) const noexcept {
    for (const auto& proxy : forward_proxies) {
      if (proxy.listener == listener) return &proxy;
    }
    return nullptr;
  }

  /// The trusted_proxies of the listener named `listener`, or nullptr (none: the socket names the client).
  const net::AddressRanges* trusted_proxies_of(std::string_view listener) const noexcept {
    for (const auto& [name, ranges] : trusted_proxies) {
      if (name == listener) return &ranges;
    }
    return nullptr;
  }

  /// The forward-auth settings of the listener named `listener`, or nullptr (it does not decide).
  const CompiledForwardAuth* forward_auth(std::string_view listener) const noexcept {
    for (const auto& auth : forward_auths) {
      if (auth.listener == listener) return &auth;
    }
    return nullptr;
  }
};

}  // namespace authgate::config
