#pragma once
// Every open client connection, counted from accept until its socket is closed, so `max_connections` is
// never exceeded, not even by a burst of connects: the accept loop takes a connection off the listen backlog
// only when there is room (has_room), and a connection closed for room counts until it is really closed.
// Per client address, open connections and connections still sending a request head are limited too, so
// one address cannot take every slot. At the limit, the connection that has sent nothing useful for the
// longest (idle keep-alive, or a head still coming) is closed to make room, as nginx and HAProxy users
// expect of slow-head protection (docs/operations.md, "Overload").

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio/ip/address.hpp>

namespace authgate::gateway {

struct ConnectionLimits {
  std::size_t max_connections = 10000;
  std::size_t per_address = 1024;         // open connections of one client network; 0 = no limit
  std::size_t pending_per_address = 256;  // of those, still sending a head; 0 = no limit
};

/// Why a connection was refused at accept, for metrics and logs.
enum class ConnectionRefusal { none, total, address, pending_heads };

/// The name of `refusal`, e.g. "pending_heads".
std::string_view to_string(ConnectionRefusal refusal) noexcept;

class ConnectionTable {
 public:
  /// What a connection is doing now: only busy ones are never closed for room.
  enum class Phase : std::uint8_t { head, idle, busy };

  struct Entry;
  /// One admitted connection's place; releasing it (destruction) frees the slot. Movable.
  class Ticket {
   public:
    Ticket() = default;
    Ticket(ConnectionTable* table, std::shared_ptr<Entry> entry) : table_(table), entry_(std::move(entry)) {}
    Ticket(Ticket&& other) noexcept = default;
    Ticket& operator=(Ticket&& other) noexcept;
    Ticket(const Ticket&) = delete;
    Ticket& operator=(const Ticket&) = delete;
    ~Ticket() { release(); }

    explicit operator bool() const noexcept { return entry_ != nullptr; }
    /// Records what the connection does now (a few atomic stores; called on its own thread).
    void set_phase(Phase phase) noexcept;
    /// The phase last set (busy for an empty ticket).
    Phase phase() const noexcept;
    /// What closes the connection when it is chosen to make room: posted to its own thread by the caller's
    /// function. Set once by the session before its first wait.
    void on_evict(std::function<void()> close);
    /// Chosen to make room but busy again by the time its thread looked: not closing after all.
    void spare() noexcept;
    void release() noexcept;

   private:
    ConnectionTable* table_ = nullptr;
    std::shared_ptr<Entry> entry_;
  };

  /// Admits a connection from `peer` (`exempt`: a trusted front proxy, not limited per address), or says
  /// why not. Refuses with `total` at max_connections: callers accept only after has_room(). Thread-safe.
  ConnectionRefusal admit(const boost::asio::ip::address& peer, bool exempt, const ConnectionLimits& limits,
                          Ticket& ticket);

  /// True while fewer than `max_connections` sockets are open (those closing for room included).
  bool has_room(std::size_t max_connections) const;
  /// At the limit: closes the oldest connection idle or sending its head for at least `evict_after`,
  /// unless one is already closing for room. True when one is on its way out (room will come soon).
  bool make_room(std::chrono::milliseconds evict_after);
  /// `wake` is called (on the releasing thread) by the first release after want_room(). Set once.
  void on_room(std::function<void()> wake) { wake_ = std::move(wake); }
  /// Asks for one wake call when a connection goes.
  void want_room() noexcept { wanted_.store(true, std::memory_order_release); }

  /// Connections admitted and not yet released. Thread-safe.
  std::size_t open() const;
  /// Connections closed to make room so far. Thread-safe.
  std::uint64_t evicted() const noexcept { return evicted_.load(std::memory_order_relaxed); }
  /// Connections admitted so far. Thread-safe.
  std::uint64_t admitted() const noexcept { return admitted_.load(std::memory_order_relaxed); }

  /// The key one client counts under: an IPv4 address (IPv4-mapped too), or the /64 of an IPv6 address.
  static std::string network_of(const boost::asio::ip::address& peer);

 private:
  struct Counts {
    std::size_t open = 0;
    std::atomic<std::size_t> pending{0};
  };

  void release(const std::shared_ptr<Entry>& entry) noexcept;
  void spare(const std::shared_ptr<Entry>& entry) noexcept;
  /// Marks the oldest connection idle or sending a head for evict_after as closing; `close` gets its
  /// closer. False when there is none. mutex_ held.
  bool evict_oldest(std::chrono::steady_clock::time_point now, std::chrono::milliseconds evict_after,
                    std::function<void()>& close);

  mutable std::mutex mutex_;
  std::unordered_set<std::shared_ptr<Entry>> entries_;                   // guarded; closing ones too
  std::size_t closing_ = 0;                                              // guarded: evicted, not yet released
  std::unordered_map<std::string, std::shared_ptr<Counts>> by_network_;  // guarded; erased at 0 open
  std::atomic<std::uint64_t> evicted_{0};
  std::atomic<std::uint64_t> admitted_{0};
  std::atomic<bool> wanted_{false};
  std::function<void()> wake_;
};

struct ConnectionTable::Entry {
  std::string network;
  bool exempt = false;
  std::shared_ptr<Counts> counts;
  std::atomic<Phase> phase{Phase::head};
  std::atomic<std::int64_t> since_ns{0};  // steady clock: when the phase began
  std::atomic<bool> evicted{false};       // chosen to make room; its session is closing (still counted)
  std::mutex close_mutex;
  std::function<void()> close;  // guarded by close_mutex
};

}  // namespace authgate::gateway
