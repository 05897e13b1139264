#pragma once
// The idle keep-alive connections of one fetch client in one place (its blocking pool, or one io_context
// for async_fetch), with the rules of ConnectionReuse (net/http_fetch.hpp): the most recently parked
// connection is taken first, at most max_idle wait, each for at most idle_timeout. Internal to net/;
// not thread-safe (the owner locks).

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "net/fetch_link.hpp"
#include "net/idle_socket.hpp"

namespace authgate::net::detail {

/// `Link` has the members `FetchLink link`, `std::string origin` ("https://host:port": which requests
/// may use it) and `SteadyClock::time_point idle_since`.
template <class Link>
class IdleLinks {
 public:
  /// Connections taken out to be closed: the caller destroys them (outside its lock when it may).
  using Dropped = std::vector<std::unique_ptr<Link>>;

  /// The most recently parked live connection to `origin`, or null. Moves expired connections, and any
  /// whose socket became readable while idle, to `dropped` (an HTTP/1.1 server sends nothing unprompted:
  /// readable means it closed the connection or broke the protocol, RFC 9112 §9.3).
  std::unique_ptr<Link> take(const std::string& origin, std::chrono::milliseconds idle_timeout,
                             Dropped& dropped) {
    drop_expired(SteadyClock::now(), idle_timeout, dropped);
    for (std::size_t i = idle_.size(); i-- > 0;) {  // newest first
      if (idle_[i]->origin != origin) continue;
      auto link = std::move(idle_[i]);
      idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
      if (link->link.is_open() && !idle_socket_is_dead(link->link.tcp().socket())) return link;
      dropped.push_back(std::move(link));
    }
    return nullptr;
  }

  /// Parks `link` if it is open and reusable and fewer than `reuse.max_idle` wait once the expired ones
  /// are gone; otherwise moves it to `dropped`.
  void park(std::unique_ptr<Link> link, const ConnectionReuse& reuse, Dropped& dropped) {
    const auto now = SteadyClock::now();
    drop_expired(now, reuse.idle_timeout, dropped);
    if (!link->link.reusable || !link->link.is_open() || idle_.size() >= reuse.max_idle) {
      dropped.push_back(std::move(link));
      return;
    }
    link->idle_since = now;
    idle_.push_back(std::move(link));
  }

  /// Moves every parked connection to `dropped`.
  void drop_all(Dropped& dropped) {
    dropped.insert(dropped.end(), std::make_move_iterator(idle_.begin()),
                   std::make_move_iterator(idle_.end()));
    idle_.clear();
  }

  std::size_t size() const noexcept { return idle_.size(); }

 private:
  void drop_expired(SteadyClock::time_point now, std::chrono::milliseconds idle_timeout, Dropped& dropped) {
    auto it = idle_.begin();
    while (it != idle_.end() && now - (*it)->idle_since >= idle_timeout) ++it;
    dropped.insert(dropped.end(), std::make_move_iterator(idle_.begin()), std::make_move_iterator(it));
    idle_.erase(idle_.begin(), it);
  }

  std::vector<std::unique_ptr<Link>> idle_;  // oldest first
};

}  // namespace authgate::net::detail
