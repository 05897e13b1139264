#pragma once
// The Session class behind run_session(), shared by session.cpp (the connection: reading heads, local
// replies, keep-alive) and pipeline.cpp (one request: route, authenticate, decide, act). Internal.

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "authgate/outcome.hpp"
#include "authgate/policy/decision.hpp"
#include "config/snapshot.hpp"
#include "gateway/authn/credential_memo.hpp"
#include "gateway/authn/judge.hpp"
#include "gateway/conn/session.hpp"
#include "gateway/ops/request_record.hpp"
#include "gateway/proxy/destination.hpp"
#include "gateway/proxy/proxy.hpp"
#include "http/head_check.hpp"
#include "http/landing_area.hpp"
#include "http/local_reply.hpp"
#include "net/destination_policy.hpp"

namespace authgate::gateway {

/// The first read of a request on a TLS connection (plain ones read into Session::landing_ first).
inline constexpr std::size_t first_read_bytes = 4096;

inline std::chrono::microseconds since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
}

/// One client connection (see session.hpp). Lives in run_session()'s coroutine frame.
class Session {
 public:
  Session(Stream stream, GatewayState& state, IoThread& thread, SessionInfo info);

  asio::awaitable<void> run();
  void close_if_idle() {
    if (idle_) stream_.close();
  }
  /// Closed to make room (connection_table.hpp): it was idle or sending a head for long; a request it
  /// began meanwhile finishes first.
  void close_for_room() {
    if (ticket_ != nullptr && ticket_->phase() == ConnectionTable::Phase::busy) {
      ticket_->spare();  // a request arrived meanwhile: it is served, and another connection is chosen
    } else {
      stream_.close();
    }
  }
  /// Reports this connection's phases to `ticket` (which outlives the session's run).
  void track(ConnectionTable::Ticket& ticket) noexcept { ticket_ = ticket ? &ticket : nullptr; }

 private:
  struct AnswerPlan {
    bool keep = true;
    bool body_pending = false;
  };
  /// A local reply, rendered: its bytes (in the request's arena), what follows them, how many went.
  struct Answer {
    ArenaString wire;
    AnswerPlan plan;
    std::size_t sent = 0;
  };

  // Every member has its own initializer (or a constructor): Recycled default-initializes an Exchange.
  struct Exchange {
    std::shared_ptr<const config::Snapshot> snapshot;
    HeadArena arena;  // the fields of every head below; before them, so it outlives them
    RequestParser parser{std::piecewise_construct, std::tuple<>{},
                         std::make_tuple(HeadAllocator<char>{arena})};
    std::optional<ChunkMetadataGuard> chunk_guard;  // the parser's chunk-header callback
    std::optional<ResponseParser> response;         // the upstream's, when forwarded (in the arena too)
    RequestRecord record;
    bool host_sent = false;           // the request head had a Host field (the log says null otherwise)
    bool from_trusted_proxy = false;  // the peer is in the listener's trusted proxies (a decider's sources)
    std::chrono::steady_clock::time_point started;
    HeadCheck head;
    const config::CompiledRoute* route = nullptr;
    Judgement judgement;     // the judging, and its verdict once judged (here, not in a frame: it is large)
    bool keep_alive = true;  // the client wants it and we are not draining
    std::size_t body_bytes = 0;    // a body read whole into scratch_ before judging (form token, auth-int)
    Destination destination;       // forward proxy: where the request goes
    std::optional<Answer> answer;  // a refusal being sent (authorize_and_act)
  };

  asio::awaitable<bool> handshake();
  /// Around the wait for a request's first bytes (in run()): its deadline, the idle state and phase.
  void begin_wait(bool first);
  void end_wait(bool first);
  /// The body-relay buffer, taken from the I/O thread when first needed after the session went idle.
  std::span<char> scratch();
  void release_idle_buffers();
  std::optional<boost::system::error_code> parse_arrived_head(Exchange& x);
  asio::awaitable<boost::system::error_code> read_rest_of_head(Exchange& x);
  asio::awaitable<bool> serve_one();
  asio::awaitable<bool> on_head_error(Exchange& x, boost::system::error_code ec);
  /// What the session answers itself instead of judging the request (a bad head, no route, a body over
  /// the route's limit).
  struct Refusal {
    int status = 0;
    Reason reason = Reason::ok;
  };
  /// The reverse proxy's checks before judging (pipeline.cpp): the head, the route, the body limit. No
  /// coroutine: a request that passes costs no frame for them.
  std::optional<Refusal> admit(Exchange& x);
  /// Applies the route's body limit to the parser; false when the declared length is over it (→ 413).
  bool apply_body_limit(Exchange& x);
  asio::awaitable<bool> authorize_and_act(Exchange& x);
  /// Reads the body whole into scratch() (x.body_bytes) for the judge: a form's token (`form`) or Digest's
  /// auth-int. A refusal (413, 400) when it is too large or cannot be read.
  asio::awaitable<std::optional<Refusal>> read_judged_body(Exchange& x, bool form);
  asio::awaitable<bool> act(Exchange& x, const config::ForwardTo& forward_to);
  // The forward proxy (forward_pipeline.cpp): a head of its own kind, the listener's route, then the
  // request's own destination.
  asio::awaitable<bool> handle_proxy(Exchange& x);
  asio::awaitable<bool> act(Exchange& x, const config::ProxyTo& proxy_to);
  asio::awaitable<bool> open_tunnel(Exchange& x, const config::CompiledForwardProxy& proxy,
                                    const std::vector<asio::ip::tcp::endpoint>& endpoints);
  asio::awaitable<bool> forward_plain(Exchange& x, const config::CompiledForwardProxy& proxy,
                                      std::vector<asio::ip::tcp::endpoint> endpoints);
  /// Records how forward() ended: the keep-alive answer when the response (or nothing) was sent,
  /// nullopt when the caller must still reply with result.status (no coroutine: see admit()).
  std::optional<bool> settle_forward(Exchange& x, const ProxyResult& result);
  // Forward-auth (decision_pipeline.cpp): the original request from the front proxy's fields, the same
  // routes and judge, and the verdict as the answer.
  asio::awaitable<bool> handle_decision(Exchange& x);
  /// The client address a trusted front proxy names (right-most untrusted X-Forwarded-For entry; the
  /// left-most when every entry is trusted), or the peer's when an entry is no address.
  std::string forwarded_client(const Fields& fields, const net::AddressRanges& trusted) const;
  /// The client address of a proxied request: the socket's, or behind the listener's trusted_proxies
  /// the one they name (kept in x.record.forwarded_for).
  std::string_view client_address(Exchange& x) const;
  asio::awaitable<bool> answer_allowed(Exchange& x, bool report_status);
  /// Steps 4-5 of the request path: the verdict on `view` for x.route, recorded in x.
  void take_verdict(Exchange& x, std::chrono::steady_clock::time_point started);

  /// Whether the connection can carry another request after this answer, and whether a body is unread.
  AnswerPlan plan_answer(const Exchange& x) const;
  asio::awaitable<bool> reply(Exchange& x, int status, Reason reason,
                              std::vector<grammar::Challenge> challenges = {},
                              std::chrono::seconds retry_after = std::chrono::seconds{0},
                              const RenderedChallenges* rendered_challenges = nullptr);
  /// nginx_compat on a forward-auth listener: the status and challenge lines nginx can pass on.
  void adapt_for_front_proxy(const config::Snapshot& snapshot, LocalReply& local) const;
  Answer render_reply(Exchange& x, int status, Reason reason, std::vector<grammar::Challenge> challenges,
                      std::chrono::seconds retry_after, const RenderedChallenges* rendered_challenges);
  /// Sends what the socket takes at once (no coroutine, for the request path's 401): the keep-alive
  /// answer when that settled it, nullopt when send_answer() must finish (the rest, or a body to drain).
  std::optional<bool> answer_now(Answer& answer);
  /// Writes the rest of `answer.wire`, then drains or marks the unread body as its plan says; true = keep
  /// the connection.
  asio::awaitable<bool> send_answer(Exchange& x, Answer answer);
  asio::awaitable<bool> drain_body(Exchange& x);
  asio::awaitable<void> linger_close();
  void finish(Exchange& x);
  /// The peer is a front proxy this listener trusts (trusted_proxies, or a decider's trusted_sources).
  bool peer_is_trusted_proxy(const config::Snapshot& snapshot) const;

  Stream stream_;
  GatewayState& state_;
  IoThread& thread_;
  SessionInfo info_;
  std::string client_;
  asio::ip::address peer_;  // info_.client_ip, parsed (unspecified if it did not parse: trusted by no range)
  beast::flat_buffer buffer_;
  LandingArea landing_;        // where an idle plain connection's next request lands (see run())
  std::vector<char> scratch_;  // empty while idle (see scratch())
  CredentialMemo memo_;        // the last credentials the verify cache answered on this connection
  // Forward proxy: this client connection's kept-alive connection to the origin it asked for last (one
  // destination at a time, so what a client can make the gateway hold is bounded by its own connections).
  std::unique_ptr<UpstreamPool> origin_pool_;
  std::string origin_authority_;
  bool idle_ = false;
  ConnectionTable::Ticket* ticket_ = nullptr;  // run_session()'s; null in tests that do not count
  bool unread_input_ = false;                  // we answered without reading everything the client sent
};

}  // namespace authgate::gateway
