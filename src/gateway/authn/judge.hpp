#pragma once
// THE judging step, one call for every way in (the reverse proxy today; the forward-auth endpoint and the
// forward proxy next): judge(route, view of the request, side) → Verdict. Extraction (the schemes'
// rules for the side) → the verify cache or the scheme → policy::decide() → allow (identity, fields for
// the response) or refuse (status, challenges as data, reason). No I/O of its own and no knowledge of
// where the view came from: the connection's own head, or a front proxy's X-Forwarded-* fields.

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/fields.hpp>
#include <boost/container/small_vector.hpp>

#include "authgate/outcome.hpp"
#include "authgate/policy/decision.hpp"
#include "authgate/scheme.hpp"
#include "authgate/schemes/extraction.hpp"
#include "config/snapshot.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/throttle.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {

/// The request being judged, as views: nothing of the head is copied.
struct RequestView {
  RequestFacts facts;  // method, target, host, client address, TLS, and the one clock of this request
  schemes::CredentialSources credentials;  // the side's credentials field lines, query, form body
  CredentialMemo* memo = nullptr;          // the connection's last cached credentials, or none
};

struct Verdict {
  policy::Decision decision;                   // allowed() → act; otherwise answer decision.status
  Outcome outcome;                             // the identity when Authenticated
  std::vector<grammar::Challenge> challenges;  // refusals: one WWW-/Proxy-Authenticate line each
  /// A plain 401/407 on a route whose challenges never vary: the route's, rendered at load (points into
  /// the snapshot), and `challenges` stays empty.
  const RenderedChallenges* rendered_challenges = nullptr;
  std::vector<ResponseField> response_fields;  // allowed: added to the response the client gets
  schemes::CredentialSource source = schemes::CredentialSource::field;  // where the credentials were
  bool cache_lookup = false;
  bool cache_hit = false;
  /// A throttled request: which key is banned ("user" or "address") and the user name claimed, for the
  /// access log (the request was never verified, so there is no identity).
  std::string_view throttled_by;
  std::string claimed_user;

  bool allowed() const noexcept { return decision.allowed(); }
  const Identity* identity() const noexcept {
    const auto* ok = std::get_if<Authenticated>(&outcome);
    return ok != nullptr ? ok->identity.get() : nullptr;
  }
};

/// Every line of the side's credentials field, in order (any case of the name): what extraction
/// counts. The other side's field is never read (a proxy's credentials are not the origin's).
/// Inline for the usual one or two lines: a request's credentials cost no allocation to find.
using CredentialLines = boost::container::small_vector<std::string_view, 2>;
CredentialLines credential_lines(const Fields& fields, policy::Side side);

/// One request's judging in progress: judge_now() fills it, and either it holds the verdict or
/// judge_rest() completes it. Lives in the caller's frame and never moves (views point into it).
class Judgement {
 public:
  Judgement() = default;
  Judgement(const Judgement&) = delete;
  Judgement& operator=(const Judgement&) = delete;

  std::optional<Verdict> verdict;  // set: judged without waiting

 private:
  friend class Judge;
  schemes::Presented presented_;
  std::string storage_;  // "Bearer <token>" when the token came from the query or a form
  Authenticator::Miss miss_;
  ThrottleSubject subject_;          // whose failures this request counts as (route.throttle set)
  bool ban_unchecked_ = false;       // the store does not answer inline: judge_rest() awaits the ban check
  ThrottleReservation reservation_;  // held while the credentials are being verified
};

class Judge {
 public:
  explicit Judge(Authenticator& authenticator) : authenticator_(authenticator) {}

  /// The whole judging, for callers that do not count coroutine frames (forward-auth, tests).
  boost::asio::awaitable<Verdict> judge(const config::CompiledRoute& route, const RequestView& request,
                                        policy::Side side);

  /// The same in two steps, for the reverse proxy's hot path: judge_now() sets `judgement.verdict` when
  /// no wait is needed (an anonymous route, no or malformed credentials, credentials the verify cache
  /// holds, or that a never-cached scheme verifies without waiting; a plain function, no coroutine) —
  /// never on a throttled route whose state store does not answer inline (Redis), whose ban check waits,
  /// unless that store said moments ago that the subject is not banned (ban_memo.hpp) —
  /// and judge_rest() — called at once, with the same arguments, only when it did not — verifies and
  /// returns the verdict.
  void judge_now(const config::CompiledRoute& route, const RequestView& request, policy::Side side,
                 Judgement& judgement) const;
  boost::asio::awaitable<Verdict> judge_rest(const config::CompiledRoute& route, const RequestView& request,
                                             policy::Side side, Judgement& judgement);

 private:
  Authenticator& authenticator_;
};

}  // namespace authgate::gateway
