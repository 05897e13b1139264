#pragma once
// Brute-force throttling inside the judge (docs/throttling.md): failed verifications are counted per
// claimed user name and per client address in the StateStore; once a key has had too many in its window
// it is banned, and a banned request is answered 429 + Retry-After before anything is verified (no hash
// spent, and nothing learnt about the password). Known and unknown users count alike.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

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
/// (throttling fails open there, as docs/throttling.md says).
std::optional<Ban> ban_in_force(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                std::chrono::system_clock::time_point now);

/// True for the refusals that count as a guess: a wrong password or unknown user (Basic, Digest), a
/// token whose signature does not verify or cannot be read (Bearer). Not: no credentials, stale nonces,
/// expired tokens, a valid user the route does not allow.
bool counts_as_failure(const Outcome& outcome) noexcept;

/// Counts `outcome` of a verification (not a cache hit) for `subject`: a failure adds to both keys and
/// bans a key that reaches its limit; a success forgets the user name's failures (never the address's:
/// one user's success must not wipe a guesser's count for others). Works with any store.
void count_outcome(const config::CompiledRoute& route, const ThrottleSubject& subject,
                   const Outcome& outcome);

}  // namespace authgate::gateway
