#pragma once
// The in-memory StateStore: state shared by the threads of one gateway process (not between processes).
//
// Entries live in shards chosen by a keyed hash (SipHash with a per-process random key), one mutex each,
// so threads rarely contend and nobody can aim many keys at one shard or one hash bucket. Time comes
// from the injected Clock. An entry is never answered at or after its expiry; expired entries are
// purged lazily, when their shard is next written.
//
// The number of entries is bounded. When a shard is full, its expired entries go first, then the entry
// closest to expiry, which may be the new one:
//  - a failure counter that cannot be kept still answers, with FailureWindow::saturated (fail closed:
//    the throttle refuses rather than forget a failure);
//  - a nonce or a deny that cannot be kept is an error (too_many_keys).
// Evicting the entry closest to expiry loses the least: a deny that goes early would have lapsed soonest
// anyway, and a nonce that goes early is answered unknown_or_expired (the client takes a fresh one; a
// replay is never accepted): issuing it again changes nothing, and neither does issuing any nonce that
// expires no later than the latest one forgotten, since the two cannot be told apart. An evicted failure
// counter does restart from 0, so size max_entries above the number of keys that can be throttled at once.

#include <cstddef>
#include <memory>

#include "authgate/clock.hpp"
#include "authgate/stores/state_store.hpp"

namespace authgate::stores {

struct MemoryStateLimits {
  std::size_t max_entries = 100'000;  // across all shards, all three kinds; 0 keeps nothing
  std::size_t shards = 16;            // fewer when max_entries is smaller; each holds its share
  std::size_t max_key_bytes = 512;    // longer keys are invalid_argument
};

/// An in-memory StateStore. Every operation completes inline, before it returns. Throws
/// std::runtime_error if OpenSSL cannot draw the hash key, at start-up only.
std::shared_ptr<StateStore> make_memory_state_store(std::shared_ptr<const Clock> clock,
                                                    MemoryStateLimits limits = {});

}  // namespace authgate::stores
