#pragma once
// Keeps the key sets of remote-key Bearer realms fresh: fetches each realm's JWKS (directly, or through
// OpenID Connect discovery) over HTTPS and installs it with LiveKeySet::replace().
//
// Policy (docs/bearer.md, "Refresh policy"):
//  - first fetch at once, without blocking anything else; until it succeeds the realm answers 503
//  - then every refresh_interval, sooner when the JWKS response's Cache-Control max-age says so, but
//    never more often than min_refresh_interval
//  - a token with an unknown kid asks for a refetch (schemes::KeyRefetch, attached to the realm's slot)
//    and may wait for it, up to refetch_wait, parked rather than on a thread: at most one fetch per
//    min_refresh_interval
//  - a failed refresh keeps the last good set, is logged and counted, and is retried with backoff
//    (1 s, 2 s, 4 s, … up to refresh_interval)
//  - oidc: the discovery document is fetched at the first refresh and then only when it is stale
//    (24 h, or its Cache-Control max-age, at least refresh_interval) or when a JWKS fetch at the
//    remembered jwks_uri fails (then at once, and a moved jwks_uri is followed in the same refresh)
//  - reload: a realm whose source (URL or issuer, CA file) is unchanged continues with the same
//    refresher, and the new snapshot's key set is filled with the last good set BEFORE the snapshot is
//    served, so a reload never opens a 503 gap; sources no realm uses any more stop

#include <map>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "config/snapshot.hpp"

namespace authgate::gateway {

class Metrics;

class JwksRefresher {
 public:
  /// Runs every refresh on `executor`, which must be single-threaded (the gateway's control context).
  /// `metrics` may be null.
  JwksRefresher(boost::asio::any_io_executor executor, Metrics* metrics);
  ~JwksRefresher();
  JwksRefresher(const JwksRefresher&) = delete;
  JwksRefresher& operator=(const JwksRefresher&) = delete;

  /// Adopts the remote-key realms of `snapshot` (at start and on every reload, before the snapshot is
  /// served). Call on the executor's thread (or before it runs).
  void apply(const config::Snapshot& snapshot);

  /// Stops every refresher (shutdown). Fetches in flight end at their deadline or with the executor.
  void stop();

  /// Distinct key sources being refreshed.
  std::size_t source_count() const noexcept { return sources_.size(); }

  struct Source;

 private:
  boost::asio::any_io_executor executor_;
  Metrics* metrics_;
  std::map<std::string, std::shared_ptr<Source>> sources_;
};

}  // namespace authgate::gateway
