// The Redis StateStore's Lua scripts and their SHA-1 names.
#include "net/redis_scripts.hpp"

#include <openssl/evp.h>

#include <array>
#include <stdexcept>

namespace authgate::net::detail {
namespace {

/// Never destroyed: a Redis link thread may still run a script while the process exits (static
/// destructors run on the main thread then), so the scripts outlive every thread.
const RedisScript& script(std::string_view body) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  if (EVP_Digest(body.data(), body.size(), digest.data(), &size, EVP_sha1(), nullptr) != 1) {
    // Without SHA-1 (a FIPS-only provider) EVALSHA is impossible: fail at start-up, not per request.
    throw std::runtime_error("redis state store: no SHA-1 for script names");
  }
  static constexpr std::string_view hex = "0123456789abcdef";
  std::string name;
  for (unsigned int i = 0; i < size; ++i) {
    name += hex[digest[i] >> 4];
    name += hex[digest[i] & 0xF];
  }
  return *new RedisScript{body, std::move(name)};  // NOLINT(cppcoreguidelines-owning-memory)
}

}  // namespace

const RedisScript& add_failure_script() {
  static const RedisScript& s = script(R"lua(
local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}
)lua");
  return s;
}

const RedisScript& failures_script() {
  static const RedisScript& s = script(R"lua(
local n = redis.call('GET', KEYS[1])
if not n then return {0, 0} end
return {tonumber(n), redis.call('PTTL', KEYS[1])}
)lua");
  return s;
}

// RFC 7616 §3.4: only an nc above every one seen is fresh. A nonce that is not there (never issued,
// expired, or evicted) is never created here: use_nonce cannot revive what issue_nonce did not make.
const RedisScript& use_nonce_script() {
  static const RedisScript& s = script(R"lua(
local seen = redis.call('GET', KEYS[1])
if not seen then return 0 end
if tonumber(ARGV[1]) <= tonumber(seen) then return 1 end
redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL')
return 2
)lua");
  return s;
}

// Never shortened: a second, shorter revocation must not lift the first one early.
const RedisScript& deny_script() {
  static const RedisScript& s = script(R"lua(
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
local old = redis.call('ZSCORE', KEYS[1], ARGV[1])
if old and tonumber(old) >= tonumber(ARGV[2]) then return 0 end
if not old and redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[5]) then return -1 end
redis.call('ZADD', KEYS[1], ARGV[2], ARGV[1])
redis.call('SET', KEYS[2], ARGV[4])
local last = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
local ttl = math.max(1, tonumber(last[2]) - tonumber(ARGV[3]))
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1
)lua");
  return s;
}

const RedisScript& deny_list_script() {
  static const RedisScript& s = script(R"lua(
local v = redis.call('GET', KEYS[2]) or ''
if v == ARGV[1] then return {v} end
return {v, redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'WITHSCORES', 'LIMIT', 0, ARGV[3])}
)lua");
  return s;
}

}  // namespace authgate::net::detail
