#pragma once
// The Redis StateStore (issue 16): failure windows, Digest nonce counts and the deny-list shared by every
// gateway instance that points at one Redis. Same contract as stores::StateStore documents; each
// operation is ONE round trip, atomic on the server (a Lua script where it reads and writes).
//
// Threads: operations may be called from any thread. The store runs on a strand over the executor it is
// made with, and every callback — answers, errors, invalid arguments alike — is called there, exactly
// once, with no lock held. Never block that executor's threads waiting for the store (Digest's
// synchronous authenticate() waits on a future): give the store an executor of its own (an io_context
// with one thread), or one whose threads only ever await it.
//
// Deadlines: a command not answered within `timeout` (queueing included) completes with `timeout`, and
// the connection is closed and opened again: replies come in order, so one that is late holds up every
// command behind it (those complete with `unavailable`). While Redis is down (between attempts, with
// capped exponential backoff) operations fail at once with `unavailable`. shutdown(), and the
// destructor, complete every pending callback with `unavailable`; the executor must still run then.
//
// Keys: `<prefix>{<base64url(key)>}:<f|n>` (failure, nonce). Keys may be any bytes; base64url keeps them
// printable. The hash tag puts every key of one logical entry in one Redis Cluster slot (this client
// speaks to one server: no Cluster redirections, no Sentinel). The deny-list is one sorted set,
// `<prefix>{deny}:list` (member: the denied key, score: until, ms since the epoch), with a version string
// `<prefix>{deny}:v` that every write changes; each instance polls the version every
// StateStore::deny_refresh and reads the whole list when it changed, into the local copy the request path
// asks (denied_locally): a deny reaches every instance within about deny_refresh plus one round trip,
// and while Redis is down each instance keeps its last copy. Instances compare "until" with their own
// clocks: keep them in sync (NTP). Every key has a TTL.
//
// Eviction: configure Redis with `maxmemory-policy noeviction` (its default). A full Redis then refuses
// writes (`OOM`), which the store answers as `too_many_keys` (a 5xx: fail closed). Every other policy,
// volatile-ttl included, may evict a live nonce; a captured request could then be replayed, because
// issue_nonce (SET NX) cannot tell an evicted nonce from a new one and would start its counts at 0 —
// the in-memory store prevents that revival, Redis cannot. An evicted failure counter restarts at 0,
// an evicted deny lifts early. Likewise, asynchronous replication can lose the latest writes on a
// failover; use a single primary (or accept that window).
//
// Requires Redis 6.0 or later (SET … KEEPTTL). TLS: `rediss://` or `tls.enabled` (Redis 6's `tls-port`);
// the server's certificate and name are always verified, a client certificate is sent when given
// (`tls-auth-clients yes`). The TLS files are read once, by make_redis_state_store (a bad one is its
// error); the TLS handshake is part of connecting (bounded by connect_timeout, a failure is a failed
// connection: backoff, `down`, last_error says why). No TLS over a unix socket.

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include "authgate/clock.hpp"
#include "authgate/stores/state_store.hpp"
#include "net/redis_status.hpp"
#include "net/redis_url.hpp"

namespace authgate::net {

struct RedisStateOptions {
  /// `redis://[[user]:password@]host[:port][/db]`, `unix:/path/to.sock[?db=N]` or a socket path.
  std::string url = "redis://127.0.0.1:6379";
  /// AUTH password (read by the caller from a file); overrides one in the url when not empty.
  std::string password{};
  /// TLS settings; `enabled` or a `rediss://` url turns TLS on (the url's own settings are only `enabled`).
  RedisTls tls{};
  /// Connections to open (each pipelined); operations are spread over them. At least 1.
  std::size_t pool = 1;
  std::chrono::milliseconds timeout{250};  // per operation, > 0
  std::chrono::milliseconds connect_timeout{1000};
  std::chrono::milliseconds reconnect_min{50};    // first backoff; doubles per failed attempt
  std::chrono::milliseconds reconnect_max{5000};  // cap
  std::string key_prefix = "authgate:";           // no `{` or `}`: they would move the hash tag
  std::size_t max_key_bytes = 512;                // longer keys are invalid_argument
  std::size_t max_pending = 10'000;               // operations waiting or in flight; more → unavailable
  std::shared_ptr<const Clock> clock{};           // turns Redis's PTTL into resets_at; null: system clock
};

class RedisStateStore : public stores::StateStore {
 public:
  /// Where the connection stands. Thread-safe.
  virtual RedisStatus status() const = 0;
  /// Closes the connection for good; pending and later operations complete with `unavailable`.
  /// Thread-safe, idempotent; the destructor calls it.
  virtual void shutdown() = 0;
};

/// Makes the store and starts connecting (operations made meanwhile wait for the attempt). The error is
/// a bad url or option, for the config loader; it never quotes the password.
boost::system::result<std::shared_ptr<RedisStateStore>, std::string> make_redis_state_store(
    const boost::asio::any_io_executor& executor, RedisStateOptions options);

}  // namespace authgate::net
