#pragma once
// The contract of one authentication scheme (Basic, Digest, Bearer, …). Schemes return challenges as
// data; one place (the gateway's local reply) renders responses, so several schemes on one route never
// clobber each other (Caddy's lesson).

#include <chrono>
#include <cstdint>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/outcome.hpp"

namespace authgate {

/// Facts about the request a scheme may need (Digest hashes method and URI; DPoP checks both).
struct RequestFacts {
  std::string_view method;
  std::string_view target;  // request-target as received
  std::string_view host;
  std::string_view client_address;
  bool secure = false;  // arrived over TLS
  std::chrono::system_clock::time_point now;
};

struct ChallengeContext {
  std::chrono::system_clock::time_point now;
  bool stale = false;  // Digest: the client's nonce expired (RFC 7616 §3.3 stale=true)
};

namespace detail {
/// True on threads that may block for a bounded time (the gateway's worker pool sets it for its own
/// threads); false elsewhere, notably on the I/O threads. Schemes that could wait (for a key refetch)
/// only do so where it is true.
inline thread_local bool blocking_allowed = false;
}  // namespace detail

class Scheme {
 public:
  virtual ~Scheme() = default;
  /// The scheme name as sent in challenges: "Basic", "Digest", "Bearer". Matched case-insensitively.
  virtual std::string_view name() const noexcept = 0;
  /// This scheme's challenge for a 401/407 (realm, charset, fresh nonce, …).
  virtual grammar::Challenge challenge(const ChallengeContext& context) const = 0;
  /// True when authenticate() would run a slow hash: the gateway then runs it on the worker pool.
  virtual bool is_expensive(const grammar::Credentials& credentials) const noexcept = 0;
  /// True when a successful verification may be cached under HMAC(scheme ‖ credentials).
  virtual bool is_cacheable() const noexcept = 0;
  /// Verifies credentials of this scheme. Pure apart from reading its store/keys snapshot; thread-safe;
  /// never throws for bad input (bad input is Malformed or Rejected; broken machinery is Unavailable).
  virtual Outcome authenticate(const grammar::Credentials& credentials,
                               const RequestFacts& request) const = 0;
  /// Changes whenever the data a verification depends on changes (users file, keys). Cached entries of
  /// another generation are misses.
  virtual std::uint64_t generation() const noexcept = 0;
};

}  // namespace authgate
