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
/// KEYS[1] deny entry, ARGV[1] ttl (ms) → 1. Created with the ttl, or its ttl raised to it; never lowered.
const RedisScript& deny_script();

}  // namespace authgate::net::detail
