// The Bearer scheme (RFC 6750) over the jose layer: challenge as data, one verification per token.
#include <chrono>
#include <utility>

#include "authgate/grammar/parse.hpp"
#include "authgate/jose/jws.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/schemes/identity_fields.hpp"
#include "schemes/bearer/bearer_syntax.hpp"

namespace authgate::schemes {
namespace {

constexpr std::string_view scheme_name = detail::bearer_scheme_name;
// Longest wait for an unknown-kid refetch (discovery + JWKS); the wait ends as soon as the fetch does.
constexpr std::chrono::milliseconds max_refresh_wait{10'000};

class BearerScheme final : public Scheme {
 public:
  BearerScheme(BearerOptions options, std::shared_ptr<const jose::LiveKeySet> keys,
               std::shared_ptr<const Clock> clock)
      : options_(std::move(options)), keys_(std::move(keys)), clock_(std::move(clock)) {}

  std::string_view name() const noexcept override { return scheme_name; }

  grammar::Challenge challenge(const ChallengeContext&) const override {
    return detail::bearer_challenge(options_.realm, options_.scope);
  }

  // Inline on the I/O thread, except a token naming a kid the refreshed set lacks while a refetch may
  // run: OpenID Connect Core §10.1.1 has verifiers refetch on an unfamiliar kid, and waiting for that
  // refetch (bounded) is only allowed on the worker pool. So a key rotation costs no request a 401.
  bool is_expensive(const grammar::Credentials& credentials) const noexcept override {
    return keys_->has_refresh_handler() && credentials.token68 && names_unknown_kid(*credentials.token68);
  }
  bool is_cacheable() const noexcept override { return true; }

  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts&) const override {
    if (auto problem = detail::bearer_syntax_problem(credentials)) return std::move(*problem);
    const std::shared_ptr<const jose::KeySet> keys = keys_->current();
    if (!keys) return Unavailable{Reason::keys_unavailable};
    auto verified = jose::verify_token(*credentials.token68, *keys, options_.policy, clock_->now());
    if (!verified && verified.error() == jose::VerifyErrc::unknown_key) {
      // A kid we do not know may be a key the issuer published after our last fetch: ask for a refetch
      // (rate-limited by the refresher to one per min_refresh_interval) and, where blocking is allowed,
      // wait for it and try the new set.
      keys_->request_refresh();
      if (::authgate::detail::blocking_allowed && keys_->has_refresh_handler()) {
        auto newer = keys_->await_replacement(keys, max_refresh_wait);
        if (newer && newer != keys) {
          verified = jose::verify_token(*credentials.token68, *newer, options_.policy, clock_->now());
        }
      }
    }
    if (!verified) {
      // RFC 6750 §3.1 invalid_token: expired, revoked, malformed or otherwise invalid → 401.
      return Rejected{
          jose::to_reason(verified.error()),
          std::string(scheme_name),
          {{"error", "invalid_token"}, {"error_description", std::string(jose::describe(verified.error()))}}};
    }
    // RFC 6750 §3.1 invalid_token: a signed token is still only as safe as its claims (issue 11 F2).
    if (const auto problem = identity_field_problem(verified->identity)) {
      return Rejected{Reason::unsafe_identity,
                      std::string(scheme_name),
                      {{"error", "invalid_token"}, {"error_description", std::string(*problem)}}};
    }
    return Authenticated{std::move(verified->identity), verified->expires_at};
  }

  std::uint64_t generation() const noexcept override {
    const auto keys = keys_->current();
    return keys ? keys->generation() : 0;
  }

 private:
  bool names_unknown_kid(std::string_view token) const noexcept {
    try {
      const auto keys = keys_->current();
      if (!keys || !keys_->refresh_pending_or_allowed(std::chrono::steady_clock::now())) return false;
      const auto parsed = jose::parse_compact(token, options_.policy.jws.max_token_bytes);
      return parsed && parsed->header.kid && keys->find(*parsed->header.kid) == nullptr;
    } catch (...) {  // allocation failure: verify inline, which fails the usual way
      return false;
    }
  }

  BearerOptions options_;
  std::shared_ptr<const jose::LiveKeySet> keys_;
  std::shared_ptr<const Clock> clock_;
};

}  // namespace

std::shared_ptr<const Scheme> make_bearer_scheme(BearerOptions options,
                                                 std::shared_ptr<const jose::LiveKeySet> keys,
                                                 std::shared_ptr<const Clock> clock) {
  return std::make_shared<const BearerScheme>(std::move(options), std::move(keys), std::move(clock));
}

}  // namespace authgate::schemes
