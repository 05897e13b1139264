#pragma once
// The hashing pool's waiting jobs, one sub-queue per client network and, within it, per claimed user,
// served round robin: one job of each client per turn, and within a client one job of each user per turn.
// A client that floods therefore only lengthens its own wait, and a new client is served after at most
// one job of every other client (deficit round robin with equal costs, since every hash costs the same).
// Not thread-safe: the pool guards it.

#include <cstddef>
#include <deque>
#include <functional>
#include <string>
#include <unordered_map>

namespace authgate::gateway {

/// Whose turn a job waits for.
struct FairKey {
  std::string client;  // the client's network (client_network())
  std::string user;    // the user the credentials claim; empty when they name none
};

class FairQueue {
 public:
  using Job = std::function<void()>;

  /// Appends `job` to the sub-queue of `key`.
  void push(const FairKey& key, Job job);
  /// Takes the next job in round-robin order. Precondition: !empty().
  Job pop();

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  /// Clients with jobs waiting.
  std::size_t clients() const noexcept { return clients_.size(); }

  /// How many waiting jobs would be served before a job pushed now for `key`: its own sub-queue, and from
  /// every other sub-queue at most one job per turn it waits (an upper bound: the turn order decides
  /// whether the last of those turns comes before it or after).
  std::size_t ahead_of(const FairKey& key) const;

 private:
  struct Client {
    std::unordered_map<std::string, std::deque<Job>> users;
    std::deque<std::string> turns;  // users with jobs, the next to serve first
    std::size_t size = 0;
  };

  std::unordered_map<std::string, Client> clients_;
  std::deque<std::string> turns_;  // clients with jobs, the next to serve first
  std::size_t size_ = 0;
};

}  // namespace authgate::gateway
