// The judging step (see gateway/judge.hpp): extraction → cache or scheme → decide → verdict.
#include "gateway/authn/judge.hpp"

#include <utility>

#include "authgate/grammar/serialize.hpp"
#include "authgate/policy/challenges.hpp"
#include "gateway/authn/revocation.hpp"

namespace authgate::gateway {
namespace {

// RFC 9110 §11.6.3 / §11.7.3: the field a successful verification's auth-params travel in.
std::string_view info_field_name(policy::Side side) noexcept {
  return side == policy::Side::proxy ? "Proxy-Authentication-Info" : "Authentication-Info";
}

// Each fills a verdict just made in the judgement (`judgement.verdict.emplace()`): none is moved there.
// By rvalue reference, as the next one: an Outcome is a variant, and each move of it is a visit (≈ 40
// instructions a hop); the verdict's own copy is the one move left.
void conclude(const config::CompiledRoute& route, const RequestView& request, policy::Side side,
              Outcome&& outcome, Verdict& verdict) {
  if (const auto* ok = std::get_if<Authenticated>(&outcome); ok != nullptr && route.state != nullptr) {
    // Cached or verified now alike: a revocation holds from the next request on.
    if (auto refusal = revocation_of(*route.state, *ok->identity)) outcome = std::move(*refusal);
  }
  verdict.decision = policy::decide(route.requirement, outcome, side);
  if (verdict.decision.allowed()) {
    const auto* ok = std::get_if<Authenticated>(&outcome);
    if (ok != nullptr && !ok->info.empty()) {
      verdict.response_fields.push_back({info_field_name(side), grammar::to_field(ok->info)});
    }
  } else {
    // The request's one clock: challenges (Digest nonces) and verification read the same instant.
    const ChallengeContext context{request.facts.now, false};
    const bool plain =
        verdict.decision.challenges == policy::ChallengeSet::all && verdict.decision.extra_params.empty();
    if (plain && route.fixed_challenges) {
      verdict.rendered_challenges = &*route.fixed_challenges;
    } else {
      verdict.challenges = policy::collect_challenges(verdict.decision, route.schemes, context);
    }
  }
  verdict.outcome = std::move(outcome);
}

void conclude(const config::CompiledRoute& route, const RequestView& request, policy::Side side,
              AuthResult&& result, schemes::CredentialSource source, Verdict& verdict) {
  conclude(route, request, side, std::move(result.outcome), verdict);
  verdict.source = source;
  verdict.cache_lookup = result.cache_lookup;
  verdict.cache_hit = result.cache_hit;
}

void throttled(const config::CompiledRoute& route, const RequestView& request, policy::Side side,
               const Ban& ban, const ThrottleSubject& subject, Verdict& verdict) {
  conclude(route, request, side, Outcome{ban.outcome}, verdict);
  verdict.throttled_by = ban.by;
  verdict.claimed_user = subject.user;
}

}  // namespace

CredentialLines credential_lines(const Fields& fields, policy::Side side) {
  // Beast files every spelling of a known name under its enum (string_to_field folds case), so the enum
  // finds "authorization" and "AUTHORIZATION" alike without comparing names.
  const auto name =
      side == policy::Side::proxy ? http::field::proxy_authorization : http::field::authorization;
  CredentialLines lines;
  for (const auto& field : fields) {
    if (field.name() == name) lines.push_back(field.value());
  }
  return lines;
}

void Judge::judge_now(const config::CompiledRoute& route, const RequestView& request, policy::Side side,
                      Judgement& judgement) const {
  if (route.requirement.anonymous) {
    conclude(route, request, side, NoCredentials{}, judgement.verdict.emplace());
    return;
  }
  auto extraction = schemes::extract_credentials(route.schemes, route.token_locations, request.credentials,
                                                 judgement.storage_);
  if (auto* presented = std::get_if<schemes::Presented>(&extraction)) {
    judgement.presented_ = *presented;
    if (route.throttle != nullptr) {
      // Why before the cache: a banned guesser must learn nothing, not even from a cached right answer.
      judgement.subject_ = throttle_subject(route, *presented, request.facts);
      if (route.state != nullptr && !route.state->completes_inline() &&
          !recently_unbanned(judgement.subject_)) {
        judgement.ban_unchecked_ = true;  // Redis: the ban check waits, so the cache waits behind it
        return;
      }
      if (auto ban = ban_in_force(route, judgement.subject_, request.facts.now)) {
        throttled(route, request, side, *ban, judgement.subject_, judgement.verdict.emplace());
        return;
      }
    }
    if (auto cached =
            authenticator_.cached(route, *presented, request.facts, &judgement.miss_, request.memo)) {
      conclude(route, request, side, std::move(*cached), presented->from, judgement.verdict.emplace());
      return;
    }
    if (route.throttle != nullptr) {
      if (auto busy = reserve_attempt(route, judgement.subject_, presented->field, judgement.reservation_)) {
        throttled(route, request, side, *busy, judgement.subject_, judgement.verdict.emplace());
        return;
      }
    }
    if (auto now = authenticator_.verify_now(route, *presented, request.facts)) {
      // Never cached and nothing to wait for (Digest over the in-memory state): judged inline too.
      count_outcome(route, judgement.subject_, now->outcome);
      judgement.reservation_.release();
      conclude(route, request, side, std::move(*now), presented->from, judgement.verdict.emplace());
    }
    return;
  }
  // No credentials (the 401 that starts every challenge round), or broken ones (400).
  std::visit(
      [&](auto& outcome) {
        // Presented was handled above.
        if constexpr (!std::is_same_v<std::decay_t<decltype(outcome)>, schemes::Presented>) {
          conclude(route, request, side, Outcome{std::move(outcome)}, judgement.verdict.emplace());
        }
      },
      extraction);
}

boost::asio::awaitable<Verdict> Judge::judge_rest(const config::CompiledRoute& route,
                                                  const RequestView& request, policy::Side side,
                                                  Judgement& judgement) {
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  Verdict verdict;
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  if (judgement.ban_unchecked_) {
    // What judge_now() does for an inline store, in the same order: the ban, then the cache. A store that
    // fails or times out answers "no ban" (throttling fails open, see await_ban()).
    judgement.ban_unchecked_ = false;
    const auto ban = co_await await_ban(route, judgement.subject_, request.facts.now);
    if (ban) {
      throttled(route, request, side, *ban, judgement.subject_, verdict);
      co_return verdict;
    }
    if (auto cached = authenticator_.cached(route, judgement.presented_, request.facts, &judgement.miss_,
                                            request.memo)) {
      conclude(route, request, side, std::move(*cached), judgement.presented_.from, verdict);
      co_return verdict;
    }
    if (auto busy =
            reserve_attempt(route, judgement.subject_, judgement.presented_.field, judgement.reservation_)) {
      throttled(route, request, side, *busy, judgement.subject_, verdict);
      co_return verdict;
    }
  }
  auto result =
      co_await authenticator_.authenticate(route, judgement.presented_, request.facts, &judgement.miss_);
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
  if (!result.cache_hit) count_outcome(route, judgement.subject_, result.outcome);
  judgement.reservation_.release();  // after counting: the next check sees this failure, not a gap
  conclude(route, request, side, std::move(result), judgement.presented_.from, verdict);
  co_return verdict;
}

boost::asio::awaitable<Verdict> Judge::judge(const config::CompiledRoute& route, const RequestView& request,
                                             policy::Side side) {
  Judgement judgement;
  judge_now(route, request, side, judgement);
  if (judgement.verdict) co_return std::move(*judgement.verdict);
  co_return co_await judge_rest(route, request, side, judgement);
}

}  // namespace authgate::gateway
