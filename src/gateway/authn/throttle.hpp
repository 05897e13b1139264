#pragma once
// Brute-force throttling inside the judge (docs/throttling.md): failed verifications are counted per
// claimed user name and per client address in the StateStore; once a key has had too many in its window
// it is banned, and a banned request is answered 429 + Retry-After before anything is verified (no hash
// spent, and nothing learnt about the password). Known and unknown users count alike.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "authgate/outcome.hpp"
#include "authgate/scheme.hpp"
#include "authgate/schemes/extraction.hpp"
#include "config/snapshot.hpp"

namespace authgate::gateway {

/// Who a request's failures count against: store keys (SHA-256 based, bounded, kind-tagged) for the
/// claimed user name and the client address, each empty when not counted.
struct ThrottleSubject {
  std::string user;         // the user name the credentials claim ("" for Bearer or unparsable ones)
  std::string user_key;     // failures of that name (per realm when `per_realm`)
  std::string address_key;  // failures of the client address (IPv6: its /ipv6_prefix network)
};

/// The subject of `presented` on `route` (route.throttle set). Parses the credentials only to read the
/// claimed user name, through the scheme of the route's first realm that takes them.
ThrottleSubject throttle_subject(const config::CompiledRoute& route, const schemes::Presented& presented,
                                 const RequestFacts& facts);

/// A ban in force: what to answer, and which key is banned ("user" or "address") for the access log.
struct Ban {
  Throttled outcome;
  std::string_view by;
};

/// The ban in force on `subject` now, if any; the longer one when both keys are banned. Answered without
/// waiting from a store that completes inline; a store that would make the request wait is not asked
/// here (the judge awaits await_ban() for it instead).
std::optional<Ban> ban_in_force(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                std::chrono::system_clock::time_point now);

/// The same from any store, Redis included: both keys asked at once, resuming on the calling coroutine's
/// executor once both answered (at most the store's timeout later). A store error or timeout fails OPEN
/// — no ban, the credentials are verified as usual — and is logged at most once per 10 s: a throttle
/// whose store is down must not lock every user out (docs/operations.md, "Running several instances").
boost::asio::awaitable<std::optional<Ban>> await_ban(const config::CompiledRoute& route,
                                                     const ThrottleSubject& subject,
                                                     std::chrono::system_clock::time_point now);

/// True when a networked store said, moments ago (gateway/authn/ban_memo.hpp), that neither key of
/// `subject` is banned, and this instance counted no failure for them since: the judge then goes on
/// without waiting for the store (a subject without keys has nothing to ban: true).
bool recently_unbanned(const ThrottleSubject& subject) noexcept;

/// Guesses being verified right now, held until the verification ends (destruction releases them):
/// without them, guesses sent all at once would all pass the ban check before the first failure is
/// counted, and a guesser with many connections would get the whole hashing queue per ban.
class ThrottleReservation {
 public:
  ThrottleReservation() = default;
  ThrottleReservation(const ThrottleReservation&) = delete;
  ThrottleReservation& operator=(const ThrottleReservation&) = delete;
  ~ThrottleReservation() { release(); }
  /// Ends the reservation (idempotent).
  void release() noexcept;

 private:
  friend std::optional<Ban> reserve_attempt(const config::CompiledRoute&, const ThrottleSubject&,
                                            std::string_view, ThrottleReservation&);
  std::vector<std::pair<std::string, std::uint64_t>> held_;  // (failure key, credentials id)
};

/// Before verifying `credentials` (the presented field) for `subject`: when other credentials are being
/// verified for the key and its failures plus those reach its limit, a 429 (Retry-After 1 s: the
/// verifications in progress decide what comes next); otherwise the attempt is held in `reservation`.
/// The same credentials verified concurrently count once (a browser's parallel requests, single-flight).
std::optional<Ban> reserve_attempt(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                   std::string_view credentials, ThrottleReservation& reservation);

/// True for the refusals that count as a guess: a wrong password or unknown user (Basic, Digest), a
/// token whose signature does not verify or cannot be read (Bearer). Not: no credentials, stale nonces,
/// expired tokens, a valid user the route does not allow.
bool counts_as_failure(const Outcome& outcome) noexcept;

/// Counts `outcome` of a verification (not a cache hit) for `subject`: a failure adds to both keys and
/// bans a key that reaches its limit; a success forgets the user name's failures (never the address's:
/// one user's success must not wipe a guesser's count for others). Works with any store; the callbacks
/// hold only the store (which lives as long as the process, config/compile_state.hpp) and copied values.
void count_outcome(const config::CompiledRoute& route, const ThrottleSubject& subject,
                   const Outcome& outcome);

}  // namespace authgate::gateway
