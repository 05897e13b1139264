#pragma once
// An unknown `kid` in a token may be a key the issuer published after our last fetch (OpenID Connect
// Core §10.1.1, RFC 7517 §4.5). The Bearer scheme then asks whoever keeps its key set fresh (the
// gateway's JWKS refresher) to fetch it again, and waits for that fetch without blocking a thread: the
// refresher calls back when the fetch has ended. The refresher owns every bit of its state (running,
// rate limit); the scheme only sees this interface.

#include <atomic>
#include <functional>
#include <memory>

namespace authgate::schemes {

class KeyRefetch {
 public:
  virtual ~KeyRefetch() = default;
  /// True when a refetch asked for now would run soon: one is running, or its rate limit allows one.
  /// A token with an unknown kid is worth waiting for only then. Thread-safe; never blocks.
  virtual bool available() const noexcept = 0;
  /// Asks for a refetch and calls `done` once, from any thread, when that refetch has ended (a new set
  /// installed or not), when none will run, or after the configured wait limit — whichever comes
  /// first. An empty `done` only asks. Thread-safe; never blocks.
  virtual void refetch(std::function<void()> done) = 0;
};

/// Where the refresher attaches itself once the config snapshot is built (and detaches on reload or
/// shutdown). Shared by the snapshot and the realm's Bearer scheme. Thread-safe.
class KeyRefetchSlot {
 public:
  std::shared_ptr<KeyRefetch> get() const noexcept { return current_.load(std::memory_order_acquire); }
  void attach(std::shared_ptr<KeyRefetch> refetch) noexcept {
    current_.store(std::move(refetch), std::memory_order_release);
  }

 private:
  std::atomic<std::shared_ptr<KeyRefetch>> current_;
};

}  // namespace authgate::schemes
