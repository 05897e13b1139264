// The memo of recent "not banned" answers (see ban_memo.hpp): sharded maps, one mutex each.
#include "gateway/authn/ban_memo.hpp"

#include <array>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace authgate::gateway {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

struct Hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

constexpr std::size_t shard_count = 16;
constexpr std::size_t shard_capacity = 4096;  // keys are SHA-256 based: bounded, and never chosen by a client

struct Shard {
  std::mutex mutex;
  std::unordered_map<std::string, SteadyTime, Hash, std::equal_to<>> checked;  // key → when found unbanned
};

std::array<Shard, shard_count>& shards() {
  static std::array<Shard, shard_count> all;
  return all;
}

Shard& shard_of(std::string_view key) noexcept { return shards()[Hash{}(key) % shard_count]; }

}  // namespace

bool memo_unbanned(std::string_view key, SteadyTime now) noexcept {
  Shard& shard = shard_of(key);
  const std::lock_guard lock(shard.mutex);
  const auto it = shard.checked.find(key);
  return it != shard.checked.end() && now - it->second < ban_memo_ttl;
}

void remember_unbanned(const std::string& key, SteadyTime now) {
  Shard& shard = shard_of(key);
  const std::lock_guard lock(shard.mutex);
  // Full: start again rather than evict one by one; the cost is one round trip per key, once.
  if (shard.checked.size() >= shard_capacity) shard.checked.clear();
  shard.checked.insert_or_assign(key, now);
}

void forget_unbanned(std::string_view key) noexcept {
  Shard& shard = shard_of(key);
  const std::lock_guard lock(shard.mutex);
  const auto it = shard.checked.find(key);
  if (it != shard.checked.end()) shard.checked.erase(it);
}

}  // namespace authgate::gateway
