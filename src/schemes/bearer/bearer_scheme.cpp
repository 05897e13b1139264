// The Bearer scheme (RFC 6750) over the jose layer: challenge as data, one verification per token.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <utility>

#include "authgate/grammar/parse.hpp"
#include "authgate/jose/jws.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/schemes/identity_fields.hpp"
#include "schemes/bearer/bearer_syntax.hpp"

namespace authgate::schemes {
namespace {

constexpr std::string_view scheme_name = detail::bearer_scheme_name;

/// Numbers every Bearer scheme built, for generation(): a reload builds new ones.
std::atomic<std::uint64_t> next_instance{1};
constexpr int key_set_bits = 40;  // a key set's generation: one per file load or fetch, never near 2^40

class BearerScheme final : public Scheme {
 public:
  BearerScheme(BearerOptions options, std::shared_ptr<const jose::LiveKeySet> keys,
               std::shared_ptr<const Clock> clock, std::shared_ptr<const KeyRefetchSlot> refetch)
      : options_(std::move(options)),
        keys_(std::move(keys)),
        clock_(std::move(clock)),
        refetch_(std::move(refetch)) {}

  std::string_view name() const noexcept override { return scheme_name; }

  grammar::Challenge challenge(const ChallengeContext&) const override {
    return detail::bearer_challenge(options_.realm, options_.scope);
  }

  // Inline on the I/O thread, except a token naming a kid the set lacks while a refetch can run soon:
  // OpenID Connect Core §10.1.1 has verifiers refetch on an unfamiliar kid, and such a token waits for
  // that refetch (without holding a thread). So a key rotation costs no request a 401.
  Work work(const grammar::Credentials& credentials) const noexcept override {
    const auto refetch = refetch_ ? refetch_->get() : nullptr;
    if (!refetch || !credentials.token68 || !refetch->available()) return Work::pure;
    return names_unknown_kid(*credentials.token68) ? Work::waits : Work::pure;
  }
  bool is_cacheable() const noexcept override { return true; }

  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts&) const override {
    if (auto problem = detail::bearer_syntax_problem(credentials)) return std::move(*problem);
    const std::shared_ptr<const jose::KeySet> keys = keys_->current();
    if (!keys) return Unavailable{Reason::keys_unavailable};
    auto verified = jose::verify_token(*credentials.token68, *keys, options_.policy, clock_->now());
    if (!verified && verified.error() == jose::VerifyErrc::unknown_key) {
      // Not waited for here (work() said pure: no refetch can run soon), but asked for, so the next
      // token with this kid finds the key (rate-limited by the refresher).
      if (const auto refetch = refetch_ ? refetch_->get() : nullptr) refetch->refetch({});
    }
    return conclude(std::move(verified));
  }

  void authenticate_async(const grammar::Credentials& credentials, const RequestFacts& request,
                          const boost::asio::any_io_executor&, Completion done) const override {
    const auto refetch = refetch_ ? refetch_->get() : nullptr;
    if (!refetch || bearer_syntax_or_keys_missing(credentials)) {
      done(authenticate(credentials, request));
      return;
    }
    auto verified =
        jose::verify_token(*credentials.token68, *keys_->current(), options_.policy, clock_->now());
    if (verified || verified.error() != jose::VerifyErrc::unknown_key) {
      done(conclude(std::move(verified)));
      return;
    }
    // The credentials outlive the wait (the caller's promise), so the callback may read them.
    refetch->refetch([this, &credentials, done = std::move(done)] {
      const auto keys = keys_->current();
      if (!keys) return done(Unavailable{Reason::keys_unavailable});
      done(conclude(jose::verify_token(*credentials.token68, *keys, options_.policy, clock_->now())));
    });
  }

  Malformed malformed(Reason reason) const override { return detail::invalid_request(reason); }

  // The verify cache's generation. The key set's alone is not enough: a reload builds a new scheme with
  // new rules (issuer, audiences, algorithms, the claims an identity keeps) over the same remote key set,
  // and a token the old rules admitted must be judged by the new ones. So this scheme's number is in the
  // top bits (wrapping after 2^24 schemes, long after any entry of the first has expired).
  std::uint64_t generation() const noexcept override {
    const auto keys = keys_->current();
    if (!keys) return 0;
    constexpr std::uint64_t key_set_mask = (std::uint64_t{1} << key_set_bits) - 1;
    return (instance_ << key_set_bits) | (keys->generation() & key_set_mask);
  }

 private:
  bool bearer_syntax_or_keys_missing(const grammar::Credentials& credentials) const {
    return detail::bearer_syntax_problem(credentials).has_value() || !keys_->current();
  }

  static Outcome conclude(jose::VerifyResult<jose::VerifiedToken> verified) {
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

  bool names_unknown_kid(std::string_view token) const noexcept {
    try {
      const auto keys = keys_->current();
      if (!keys) return false;
      const auto parsed = jose::parse_compact(token, options_.policy.jws.max_token_bytes);
      return parsed && parsed->header.kid && keys->find(*parsed->header.kid) == nullptr;
    } catch (...) {  // allocation failure: verify inline, which fails the usual way
      return false;
    }
  }

  BearerOptions options_;
  std::shared_ptr<const jose::LiveKeySet> keys_;
  std::shared_ptr<const Clock> clock_;
  std::shared_ptr<const KeyRefetchSlot> refetch_;
  const std::uint64_t instance_ = next_instance.fetch_add(1, std::memory_order_relaxed);
};

}  // namespace

std::shared_ptr<const Scheme> make_bearer_scheme(BearerOptions options,
                                                 std::shared_ptr<const jose::LiveKeySet> keys,
                                                 std::shared_ptr<const Clock> clock,
                                                 std::shared_ptr<const KeyRefetchSlot> refetch) {
  return std::make_shared<const BearerScheme>(std::move(options), std::move(keys), std::move(clock),
                                              std::move(refetch));
}

}  // namespace authgate::schemes
