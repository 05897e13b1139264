#pragma once
// One pipelined connection to a Redis server for the Redis StateStore (net/redis_state_store.hpp):
// connect (TCP, TLS over TCP, or a unix socket), AUTH/SELECT/PING, commands written in order and replies
// matched in order, a deadline per command, reconnect with capped exponential backoff. Internal to net/;
// Asio (and Asio.SSL) in this header, so only net/*.cpp include it.
//
// Why our own RESP pipeline over an Asio socket rather than hiredis's redisAsyncContext driven through
// an Asio adapter: hiredis 0.14 (Debian 12) has no timeouts in its async API (redisAsyncSetTimeout is
// 1.0), resolves host names with a blocking getaddrinfo, owns and closes the socket behind the
// stream_descriptor's back, and may free its context from inside a callback. Here every lifetime is on
// our side and every wait is an Asio wait on one strand; from hiredis we take only the part that is
// worth reusing, the reply parser (redisReader). Writing RESP requests is a few lines (encode_command).

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/result.hpp>

#include "authgate/stores/state_store.hpp"
#include "net/redis_status.hpp"
#include "net/redis_url.hpp"

struct redisReader;

namespace authgate::net::detail {

/// One RESP2 reply, copied out of hiredis's reply object.
struct RedisReply {
  enum class Type { string, array, integer, nil, status, error };
  Type type = Type::nil;
  std::string text;  // string, status, error
  long long integer = 0;
  std::vector<RedisReply> elements;  // array
};

using RedisResult = boost::system::result<RedisReply, stores::StateError>;
using RedisHandler = std::function<void(RedisResult)>;

/// The RESP request for one command: an array of bulk strings, binary-safe.
std::string encode_command(const std::vector<std::string_view>& args);

struct RedisLinkOptions {
  RedisEndpoint endpoint;                           // endpoint.tls.enabled: TLS over TCP
  std::chrono::milliseconds timeout{250};           // per command, queueing included
  std::chrono::milliseconds connect_timeout{1000};  // resolve + connect + TLS handshake
  std::chrono::milliseconds reconnect_min{50};      // first backoff; doubles per failure
  std::chrono::milliseconds reconnect_max{5000};    // cap
  std::size_t max_pending = 10'000;                 // commands waiting or in flight; more → unavailable
};

/// One connection attempt's byte stream: a socket, or TLS over one. Every attempt makes its own, and
/// every operation's handler holds it, so an operation of a connection given up ends on its own objects
/// and never touches the next connection's (a TLS stream cannot start a second session).
class RedisTransport {
 public:
  using Socket = boost::asio::generic::stream_protocol::socket;
  using TlsStream = boost::asio::ssl::stream<Socket>;

  /// Plain when `tls` is null; otherwise TLS with that context (kept alive as long as this).
  RedisTransport(const boost::asio::any_io_executor& executor,
                 std::shared_ptr<boost::asio::ssl::context> tls);
  Socket& socket() noexcept { return tls_ ? tls_->next_layer() : *plain_; }
  /// Null when plain.
  TlsStream* tls() noexcept { return tls_ ? &*tls_ : nullptr; }

  template <class Buffers, class Handler>
  void async_read_some(const Buffers& buffers, Handler&& handler) {
    if (tls_) return tls_->async_read_some(buffers, std::forward<Handler>(handler));
    plain_->async_read_some(buffers, std::forward<Handler>(handler));
  }
  template <class Buffers, class Handler>
  void async_write(const Buffers& buffers, Handler&& handler) {
    if (tls_) return boost::asio::async_write(*tls_, buffers, std::forward<Handler>(handler));
    boost::asio::async_write(*plain_, buffers, std::forward<Handler>(handler));
  }

 private:
  std::shared_ptr<boost::asio::ssl::context> context_;  // declared first: destroyed after the stream
  std::optional<Socket> plain_;
  std::optional<TlsStream> tls_;
};

/// The connection. Thread-safe: send() and status() may be called from any thread; everything else runs
/// on one strand over the executor it was made with, and handlers are called there, exactly once, with
/// no lock held. A command that gets no reply within `timeout` completes with `timeout`, and the
/// connection is then closed (a server that stalls one reply has stalled the pipeline): the commands
/// behind it complete with `unavailable` and the link reconnects.
class RedisLink : public std::enable_shared_from_this<RedisLink> {
 public:
  using SteadyClock = std::chrono::steady_clock;

  /// With `endpoint.tls.enabled` the TLS context is made here, once: the trust anchors (`ca_file`, or
  /// the system's default paths) and the client certificate and key are read now, not per connection.
  /// Throws std::runtime_error when TLS cannot be set up — TLS over a unix socket, a file that cannot be
  /// read or parsed, a certificate without its key, a key that does not match its certificate; the
  /// message names the setting and the file, never a file's contents.
  static std::shared_ptr<RedisLink> create(const boost::asio::any_io_executor& executor,
                                           RedisLinkOptions options);
  ~RedisLink();
  RedisLink(const RedisLink&) = delete;
  RedisLink& operator=(const RedisLink&) = delete;

  /// Starts connecting. Call once, after create().
  void start();
  /// Sends one command (encode_command's bytes); `done` gets its reply (an error reply is a reply) or a
  /// StateError. Timeout counted from now.
  void send(std::string command, RedisHandler done);
  /// The same, from a handler already on the strand, with the deadline of the command it replaces
  /// (EVALSHA answered NOSCRIPT and sent again as EVAL).
  void resend(const std::string& command, SteadyClock::time_point deadline, RedisHandler done);
  /// Closes for good: pending commands complete with `unavailable`, later ones too. Idempotent.
  void shutdown();
  RedisStatus status() const;
  /// Runs `fn` on the strand (an answer known without asking Redis, called back like the others).
  void post(std::function<void()> fn);

  /// The deadline of the command whose handler is running now (for resend). Strand only.
  SteadyClock::time_point current_deadline() const noexcept { return current_deadline_; }

 private:
  using Endpoints = std::vector<boost::asio::generic::stream_protocol::endpoint>;

  struct Pending {
    SteadyClock::time_point deadline;
    RedisHandler done;
  };

  RedisLink(const boost::asio::any_io_executor& executor, RedisLinkOptions options,
            std::shared_ptr<boost::asio::ssl::context> tls);

  /// Null for a plain link; throws as create() says.
  static std::shared_ptr<boost::asio::ssl::context> make_tls_context(const RedisEndpoint& endpoint);

  void enqueue(const std::string& command, SteadyClock::time_point deadline, RedisHandler done);
  void connect();
  void on_resolved(std::uint64_t generation, const Endpoints& endpoints);
  void on_connected(std::uint64_t generation, boost::system::error_code ec);
  void tls_handshake(std::uint64_t generation);
  void on_tls_handshake(std::uint64_t generation, boost::system::error_code ec);
  void opened();
  void handshake();
  void write();
  void read();
  void on_read(std::uint64_t generation, boost::system::error_code ec, const char* data, std::size_t n);
  void arm_timer(SteadyClock::time_point deadline);
  void on_timer();
  void retry_later();
  void close_transport();
  void fail(const std::string& why);
  void fail_all(stores::StateError::Code code, const std::string& why);
  void set_status(RedisState state, const std::string* error);

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  RedisLinkOptions options_;
  std::shared_ptr<boost::asio::ssl::context> tls_;  // null: plain; shared by every connection of the link
  std::shared_ptr<RedisTransport> transport_;       // this attempt's; null before the first
  boost::asio::steady_timer deadline_timer_;
  boost::asio::steady_timer retry_timer_;
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;

  // Strand only.
  std::uint64_t generation_ = 0;  // one per connection attempt; stale completions compare against it
  RedisState state_ = RedisState::down;
  bool stopped_ = false;
  bool open_ = false;  // connected, TLS set up (the AUTH/SELECT/PING handshake may still be unanswered)
  bool tls_handshaking_ = false;  // connected, the TLS handshake not yet done
  bool writing_ = false;
  bool timer_armed_ = false;
  SteadyClock::time_point armed_at_{};
  unsigned failures_ = 0;  // consecutive; sets the backoff
  std::string queued_;     // bytes not yet written
  std::deque<Pending> pending_;
  SteadyClock::time_point current_deadline_{};

  mutable std::mutex status_mutex_;  // guards status_ only; never held while calling out
  RedisStatus status_;
};

}  // namespace authgate::net::detail
