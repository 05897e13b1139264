#pragma once
// Pooled keep-alive connections to upstreams, one pool per I/O thread (no locks: a connection never
// changes threads). Bounded idle list per upstream, idle timeout, discard on error, a readability check
// before every reuse, TLS with certificate verification and SNI for
// https:// upstreams.

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "authgate/reason.hpp"
#include "config/model.hpp"
#include "config/upstream_url.hpp"
#include "gateway/conn/stream.hpp"

namespace authgate::gateway {

/// One open connection to an upstream, with its read buffer (bytes after a response stay with it).
struct UpstreamConnection {
  UpstreamConnection(Stream s, std::size_t list) : stream(std::move(s)), idle_list(list) {}
  Stream stream;
  beast::flat_buffer buffer;
  std::size_t idle_list;  // where release() puts it: the idle list of its target in its pool
  std::chrono::steady_clock::time_point idle_since;
};

/// Where an upstream is and how to reach it, parsed once per URL.
struct UpstreamTarget {
  config::UpstreamUrl url;
  std::string authority;                    // url.authority(), made once: a Host for a request without one
  std::string sni;                          // TLS: SNI and verified name
  std::shared_ptr<asio::ssl::context> tls;  // https only
  std::size_t idle_list = 0;                // index of its idle list in the pool that parsed it
  /// Set by pinned_target(): connect to these addresses only, resolving nothing (the forward proxy
  /// resolved the name once and checked every address).
  std::vector<asio::ip::tcp::endpoint> pinned;
};

/// How reuse_idle() may use the idle list.
enum class Reuse {
  // An idle connection passes a readability check first (one poll()). Why every time: an HTTP/1.1
  // upstream sends nothing unprompted, so a readable idle connection either was closed or holds bytes
  // that belong to no request of ours (a second answer to a request it misread); sending a request on
  // it would hand that answer to the wrong client (issue 11 F1). It is closed, never reused.
  checked,
  never,  // a new connection: the retry after a stale one
};

struct Lease {
  std::unique_ptr<UpstreamConnection> connection;  // null on failure
  bool reused = false;                             // came from the idle list (may be stale)
  Reason error = Reason::ok;  // upstream_unreachable (502), upstream_timeout (504), upstream_error (502)
};

class UpstreamPool {
 public:
  explicit UpstreamPool(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  UpstreamPool(const UpstreamPool&) = delete;
  UpstreamPool& operator=(const UpstreamPool&) = delete;

  /// The parsed target of `upstream` (cached per URL and TLS settings); nullptr if the URL does not
  /// parse or its TLS files cannot be loaded (validated at load, so only a file vanishing gets here).
  const UpstreamTarget* target(const config::Upstream& upstream);

  /// target(upstream), with its connections going to `endpoints` only. For a forward proxy's pool: the
  /// check was made on these addresses, so no resolver may pick another. Other endpoints than last time
  /// replace them and close the idle connections made to the old ones.
  const UpstreamTarget* pinned_target(const config::Upstream& upstream,
                                      std::vector<asio::ip::tcp::endpoint> endpoints);

  /// An idle pooled connection when one is usable (never with Reuse::never), else a lease without one.
  /// No coroutine: the common case, a kept connection, costs no frame (see proxy.cpp forward()).
  Lease reuse_idle(const UpstreamTarget& target, Reuse reuse);
  /// A new connection (connect_timeout covers resolve, connect and the TLS handshake). `target` is this
  /// pool's target(upstream).
  asio::awaitable<Lease> connect(const config::Upstream& upstream, const UpstreamTarget& target);

  /// Returns a connection whose exchange was exactly one request and one complete keep-alive response.
  /// Closed instead when any byte beyond that response was read, or the upstream's idle list is full.
  void release(std::unique_ptr<UpstreamConnection> connection, const config::Upstream& upstream);

  /// Closes idle connections older than their upstream's idle_timeout (called every second or so).
  void sweep();
  /// Closes every idle connection (shutdown).
  void clear();
  std::size_t idle_count() const;

 private:
  struct Idle {
    std::deque<std::unique_ptr<UpstreamConnection>> connections;  // back = most recently used
    std::chrono::milliseconds idle_timeout{0};
  };
  std::unique_ptr<UpstreamConnection> take_idle(Idle& idle);

  /// What makes two upstreams one target: the URL and the TLS settings. Looked up by views of the
  /// upstream's own strings (KeyView), so a request builds no key.
  using KeyView = std::tuple<std::string_view, bool, std::string_view, std::string_view>;
  struct Key {
    std::string url;
    bool verify = true;
    std::string ca_file;
    std::string server_name;
    KeyView view() const noexcept { return {url, verify, ca_file, server_name}; }
  };
  struct KeyLess {
    using is_transparent = void;
    static KeyView view(const Key& key) noexcept { return key.view(); }
    static const KeyView& view(const KeyView& key) noexcept { return key; }
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return view(a) < view(b);
    }
  };
  UpstreamTarget* find_or_add(const config::Upstream& upstream);

  asio::any_io_executor executor_;
  std::map<Key, UpstreamTarget, KeyLess> targets_;
  std::deque<Idle> idle_;  // indexed by UpstreamTarget::idle_list; targets are never removed
};

}  // namespace authgate::gateway
