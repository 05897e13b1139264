#pragma once
// Ban checks answered by a networked store (Redis), remembered for a moment: the requests right behind a
// checked one, for the same user name or address, go on without waiting for another round trip. A key
// leaves the memo when this instance counts a failure for it, so a guesser's next request is always
// checked; a ban made by another instance is seen here at most `ban_memo_ttl` late (docs/throttling.md).

#include <chrono>
#include <string>
#include <string_view>

namespace authgate::gateway {

inline constexpr std::chrono::milliseconds ban_memo_ttl{250};

/// True when `key` was found unbanned less than ban_memo_ttl ago and not forgotten since. Thread-safe.
bool memo_unbanned(std::string_view key, std::chrono::steady_clock::time_point now) noexcept;
/// Remembers that `key` had no ban at `now`. Thread-safe; bounded (the memo empties a shard when full).
void remember_unbanned(const std::string& key, std::chrono::steady_clock::time_point now);
/// Forgets `key` (a failure was just counted for it). Thread-safe.
void forget_unbanned(std::string_view key) noexcept;

}  // namespace authgate::gateway
