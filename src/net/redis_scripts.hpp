#pragma once
// The Lua scripts of the Redis StateStore: each operation that reads and writes runs as one script, so
// Redis carries it out atomically in one round trip. Internal to net/.

#include <string>
#include <string_view>

namespace authgate::net::detail {

struct RedisScript {
  std::string_view body;
  std::string sha1;  // lower-case hex, for EVALSHA
};

/// KEYS[1] failure counter, ARGV[1] window (ms) → {count, pttl}. A fixed window: PEXPIRE only when INCR
/// made the key (or it somehow had no ttl), so later failures never move its end.
const RedisScript& add_failure_script();
/// KEYS[1] failure counter → {count, pttl}, {0, 0} when there is none.
const RedisScript& failures_script();
/// KEYS[1] nonce, ARGV[1] nc → 0 unknown or expired, 1 replayed, 2 fresh (stored, ttl kept).
const RedisScript& use_nonce_script();
/// The deny-list is one sorted set (member: the denied key, score: denied until, ms since the epoch) and
/// a version string that changes with every write, so instances poll it cheaply (deny_list_script).
/// KEYS[1] list, KEYS[2] version; ARGV[1] key, ARGV[2] until (ms), ARGV[3] now (ms), ARGV[4] new version,
/// ARGV[5] most entries → 1 written, 0 already denied as long, -1 full. Never shortens a deny; drops
/// lapsed entries; both keys expire with the last deny.
const RedisScript& deny_script();
/// KEYS[1] list, KEYS[2] version; ARGV[1] the version known, ARGV[2] now (ms), ARGV[3] most entries →
/// {version} when it is the known one, else {version, {key, until, key, until, …}} of the denies in force.
const RedisScript& deny_list_script();

}  // namespace authgate::net::detail
