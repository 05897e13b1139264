#pragma once
// State shared between gateway instances: failure counters for throttling, Digest nonce counts and a
// deny-list. In memory by default (memory_state_store.hpp); a networked implementation (Redis) keeps
// this interface, so every operation is asynchronous at the boundary.
//
// Completion: every operation takes a callback that is called exactly once with the result. An
// implementation may call it inline, before the operation returns (the in-memory store always does),
// or later from another thread (a networked store will). Callers must accept both: do not hold a lock
// the callback takes, and do not assume the call has finished when the operation returns. No
// implementation holds its own locks while it calls back, so a callback may call the store again.
// `done` must not be empty.
//
// Keys are opaque byte strings, compared exactly, at most the implementation's key limit long (the
// in-memory default is 512 bytes). Callers hash secrets before using them as keys (a password, a token:
// HMAC them, as the VerifyCache does); a store keeps keys in memory or sends them over the network and
// never treats them as secret. The three kinds of state have separate key spaces: the same bytes used
// as a failure key and as a deny-list key are two entries.
//
// Errors are broken machinery (store unreachable, timed out, full): callers answer them with a 5xx,
// never a 401, and never take one for "no such entry".

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::stores {

/// Why a state operation could not be carried out. `detail` is for logs and never contains a key.
struct StateError {
  enum class Code {
    unavailable,       // the store cannot be reached or is shutting down
    timeout,           // no answer in time (networked stores)
    too_many_keys,     // the store is full and the entry would have been the first to go
    invalid_argument,  // a key over the limit, or a window or ttl that is not positive
  };
  Code code = Code::unavailable;
  std::string detail;
};

/// The name of `code` for logs, e.g. "too_many_keys".
std::string_view to_string(StateError::Code code) noexcept;

/// boost::system::result needs this to turn `.value()` on an error into an exception (tests only;
/// request-path code checks `has_value()` first).
[[noreturn]] void throw_exception_from_error(const StateError& error, const boost::source_location& loc);

template <class T>
using StateResult = boost::system::result<T, StateError>;

/// The failure counter of one key after an add or a read. Windows are fixed: the first failure opens
/// one that lasts the window given with it; later failures count in it until it resets.
struct FailureWindow {
  std::uint32_t count = 0;                          // failures in the window; 0 when none is open
  std::chrono::system_clock::time_point resets_at;  // when the count returns to 0 (now if none is open)
  /// False when the store was too full to keep the counter. `count` is then `saturated`, so throttling
  /// fails closed: a failure the store could not count is over every limit, never the first one.
  bool recorded = true;

  static constexpr std::uint32_t saturated = UINT32_MAX;
};

/// What `use_nonce` found. RFC 7616 §3.4: the server keeps its own copy of each nonce's count to detect
/// replays; an nc value seen twice means a replayed request.
enum class NonceUse {
  fresh,               // nc is above every nc seen for this nonce; it is now the highest
  replayed,            // nc is not above the highest seen: a replay, or requests reordered
  unknown_or_expired,  // never issued, or its ttl has passed: the client needs a new nonce (stale=true)
};

/// The name of `use` for logs, e.g. "replayed".
std::string_view to_string(NonceUse use) noexcept;

class StateStore {
 public:
  using Duration = std::chrono::milliseconds;
  template <class T>
  using Callback = std::function<void(StateResult<T>)>;

  virtual ~StateStore() = default;

  /// True when every operation calls back before it returns (the in-memory store): a caller may then run
  /// on the I/O thread without waiting (Digest verifies inline). False for a networked store.
  virtual bool completes_inline() const noexcept { return false; }

  // Arguments need not outlive the call: an implementation that completes later copies them.

  /// Counts one failure for `key`. Opens a window of `window` (> 0) when none is open; while one is
  /// open, `window` is ignored (fixed windows: a client cannot extend or shorten its own). Thread-safe.
  virtual void add_failure(std::string_view key, Duration window, Callback<FailureWindow> done) = 0;
  /// The current failure counter of `key` (count 0 when no window is open). Thread-safe.
  virtual void failures(std::string_view key, Callback<FailureWindow> done) = 0;
  /// Forgets the failures of `key` (e.g. after a success). Thread-safe.
  virtual void clear_failures(std::string_view key, Callback<void> done) = 0;

  /// Makes `nonce` known for `ttl` (> 0), with no nc seen yet. Issuing a nonce that is still known
  /// changes nothing: its counts are kept, so no nc it has used can be replayed. Nor may a nonce the
  /// store had to forget before its ttl come back with its counts at 0: a store that evicts live nonces
  /// leaves such a nonce unknown (use_nonce → unknown_or_expired). Callers issue a nonce with its
  /// remaining lifetime, the same expiry every time. Thread-safe.
  virtual void issue_nonce(std::string_view nonce, Duration ttl, Callback<void> done) = 0;
  /// Checks and records a request's nonce count `nc` for `nonce` (RFC 7616 §3.4). nc counts from 1:
  /// 0 is never fresh. Thread-safe; concurrent uses of one nc see exactly one `fresh`.
  virtual void use_nonce(std::string_view nonce, std::uint32_t nc, Callback<NonceUse> done) = 0;

  /// Denies `key` (a revoked token's id, a credential's hash) for `ttl` (> 0), or longer if it is already
  /// denied for longer: a deny is never shortened. Thread-safe.
  virtual void deny(std::string_view key, Duration ttl, Callback<void> done) = 0;
  /// Whether `key` is denied now. Thread-safe.
  virtual void is_denied(std::string_view key, Callback<bool> done) = 0;

  /// Whether `key` is denied now, answered at once from this process's copy of the deny-list, for the
  /// request path (no wait, no error): the in-memory store's own entries; a networked store's copy,
  /// refreshed every `deny_refresh` and kept as last known while the store cannot be reached. A deny made
  /// through this store is in its own copy before `deny` calls back. Thread-safe.
  virtual bool denied_locally(std::string_view key) const noexcept = 0;
  /// False while the local copy holds no deny at all: callers skip building keys (one atomic load).
  virtual bool has_local_denies() const noexcept = 0;

  /// The most a deny made on one instance takes to reach every other instance's local copy.
  static constexpr Duration deny_refresh{250};
};

}  // namespace authgate::stores
