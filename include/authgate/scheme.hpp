#pragma once
// The contract of one authentication scheme (Basic, Digest, Bearer, …). Schemes return challenges as
// data; one place (the gateway's local reply) renders responses, so several schemes on one route never
// clobber each other (Caddy's lesson).

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/outcome.hpp"

// Declared only: the layers that include this header without Asio (policy, stores) never touch one.
namespace boost::asio {
class any_io_executor;
}  // namespace boost::asio

namespace authgate {

/// Facts about the request a scheme may need (Digest hashes method and URI; DPoP checks both).
struct RequestFacts {
  std::string_view method;
  std::string_view target;  // request-target as received
  std::string_view host;    // the Host field as received: host[:port] (Digest matches an absolute-form uri)
  std::string_view client_address;
  bool secure = false;  // arrived over TLS
  std::chrono::system_clock::time_point now;
  /// The whole request body, when the gateway read it before judging (Digest qop=auth-int hashes it);
  /// nullopt when it was not read (it streams to the upstream after the verdict).
  std::optional<std::string_view> body;
};

struct ChallengeContext {
  std::chrono::system_clock::time_point now;
  bool stale = false;  // Digest: the client's nonce expired (RFC 7616 §3.3 stale=true)
};

/// What verifying a set of credentials costs, so the gateway runs it in the right place.
enum class Work : unsigned char {
  pure,     // cheap and synchronous (a cached hash, a JWS with a known key): inline on the I/O thread
  hashing,  // a slow password hash (bcrypt, argon2id): one hop to the hashing pool and back
  waits,    // must wait for something (a network call, a key refetch, shared state): authenticate_async(),
            // awaited on the I/O thread; never a pool thread
};

class Scheme {
 public:
  /// Called exactly once with the verdict, from any thread (possibly before authenticate_async returns).
  using Completion = std::function<void(Outcome)>;

  virtual ~Scheme() = default;
  /// The scheme name as sent in challenges: "Basic", "Digest", "Bearer". Matched case-insensitively.
  virtual std::string_view name() const noexcept = 0;
  /// This scheme's challenge for a 401/407 (realm, charset, fresh nonce, …).
  virtual grammar::Challenge challenge(const ChallengeContext& context) const = 0;
  /// Every challenge of this scheme for a 401/407, preferred first: one, except where a scheme offers
  /// variants a client chooses from (Digest: one per algorithm, strongest first, RFC 7616 §3.7).
  virtual std::vector<grammar::Challenge> challenges(const ChallengeContext& context) const {
    return {challenge(context)};
  }
  /// True when challenges() differ from one call to the next (Digest: a fresh nonce each time). Otherwise
  /// a server may render them once, at configuration time, and send the same bytes with every 401.
  virtual bool challenges_vary() const noexcept { return false; }
  /// Where authenticate() must run for these credentials.
  virtual Work work(const grammar::Credentials& credentials) const noexcept = 0;
  /// True when a successful verification may be cached under HMAC(scheme ‖ credentials).
  virtual bool is_cacheable() const noexcept = 0;
  /// Verifies credentials of this scheme without waiting (Work::pure and Work::hashing). Pure apart from
  /// reading its store/keys snapshot; thread-safe; never throws for bad input (bad input is Malformed or
  /// Rejected; broken machinery is Unavailable).
  virtual Outcome authenticate(const grammar::Credentials& credentials,
                               const RequestFacts& request) const = 0;
  /// Verifies credentials whose work() is Work::waits. Starts the wait and returns without blocking; any
  /// I/O runs on `executor` (the calling I/O thread's). The scheme itself, `credentials` and `request` stay
  /// valid until `done` is called. The default answers authenticate() at once. (`done` is by value for
  /// the overriders, which keep it until the wait ends; the default only calls it.)
  virtual void authenticate_async(const grammar::Credentials& credentials, const RequestFacts& request,
                                  const boost::asio::any_io_executor& executor,
                                  Completion done) const {  // NOLINT(performance-unnecessary-value-param)
    (void)executor;
    done(authenticate(credentials, request));
  }
  /// The outcome for a request whose credentials name this scheme but break the syntax before the scheme
  /// sees them (an unparsable field, two credentials): 400, with this scheme's challenge when it defines
  /// an error for that (RFC 6750 §3.1 invalid_request).
  virtual Malformed malformed(Reason reason) const { return Malformed{reason, std::string(name()), {}}; }
  /// The user these credentials claim to be, before anything is verified (Basic's user-id, Digest's
  /// username), for counting failures per user name; empty when the scheme names no user (Bearer) or the
  /// credentials do not parse. Never used to decide anything else.
  virtual std::string claimed_user(const grammar::Credentials& credentials) const {
    (void)credentials;
    return {};
  }
  /// Changes whenever the data a verification depends on changes (users file, keys). Cached entries of
  /// another generation are misses.
  virtual std::uint64_t generation() const noexcept = 0;
};

}  // namespace authgate
