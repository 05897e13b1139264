// One request on a forward-auth listener (docs/forward-auth.md): the same pipeline, asked about another
// request. Head checked → the asker trusted → the original request read from its fields → route →
// the judge (same cache) → the verdict answered: 200 with the identity, or the refusal as a local reply.
#include <boost/asio/ip/address.hpp>

#include "authgate/grammar/ascii.hpp"
#include "gateway/conn/session_impl.hpp"
#include "gateway/gateway_state.hpp"
#include "http/decision_reply.hpp"
#include "http/original_request.hpp"

namespace authgate::gateway {
namespace {

/// An X-Forwarded-For entry as an address: a bare IPv4 or IPv6 literal, or an IPv6 one in brackets.
std::optional<asio::ip::address> address_of(std::string_view entry) {
  if (entry.size() > 2 && entry.front() == '[' && entry.back() == ']')
    entry = entry.substr(1, entry.size() - 2);
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(entry, ec);
  if (ec) return std::nullopt;
  return address;
}

}  // namespace

std::string Session::forwarded_client(const Fields& fields, const net::AddressRanges& trusted) const {
  const auto chain = forwarded_for_chain(fields);
  // Right to left: each trusted hop vouches for the entry before it; the first entry no trusted hop
  // wrote is the client. Anything left of it is the client's own claim. An entry that is no address
  // breaks the chain: then only the peer is known.
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    const auto address = address_of(*it);
    if (!address) return info_.client_ip;
    if (!trusted.contains(*address) || std::next(it) == chain.rend()) return address->to_string();
  }
  return info_.client_ip;
}

asio::awaitable<bool> Session::handle_decision(Exchange& x) {
  auto& request = x.parser.get();
  const auto& limits = x.snapshot->config.limits;
  const auto* decider = x.snapshot->forward_auth(info_.listener);
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  if (decider == nullptr) {
    // A reload took forward_auth off this listener; listeners change kind only on restart.
    x.keep_alive = false;
    co_return co_await reply(x, 503, Reason::internal_error);
  }
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
  check_head(request.base(), x.parser.chunked(), {limits.max_header_count, limits.max_uri_bytes}, x.head);
  if (x.head.status != 0) {
    x.keep_alive = false;
    co_return co_await reply(x, x.head.status, x.head.reason);
  }
  x.record.path = x.head.target.path;
  // Why: the fields that name the original request are only the front proxy's word when the front proxy
  // sent them; from anyone else they are the client's, who would choose the path to be authorised.
  if (!x.from_trusted_proxy) {  // decided at the head, against decider->trusted_sources
    co_return co_await reply(x, 403, Reason::untrusted_source);
  }
  auto original = read_original_request(request, decider->style, decider->path_prefix, limits.max_uri_bytes);
  if (!original) {
    const bool long_target = original.error() == OriginalError::too_long;
    co_return co_await reply(x, long_target ? 414 : 400,
                             long_target ? Reason::uri_too_long : Reason::bad_forwarded_request);
  }
  x.record.method = original->method;
  x.record.path = original->parsed.path;
  x.record.original_host = original->host_field;
  x.record.forwarded_for = forwarded_client(request, decider->trusted_sources);
  x.route = x.snapshot->match(original->host, original->parsed.match_path(), original->method);
  if (x.route == nullptr) co_return co_await reply(x, x.snapshot->unmatched_status, Reason::route_not_found);
  x.record.route = x.route->source->name;

  // The view the judge reads: the original request, with the credentials the front proxy passed on.
  const auto fields = credential_lines(request, policy::Side::origin);
  const auto now = x.snapshot->clock ? x.snapshot->clock->now() : x.record.start;
  RequestView view{{original->method, original->target, original->host_field, x.record.forwarded_for,
                    original->secure, now, std::nullopt},
                   {fields, std::nullopt, std::nullopt},
                   memo_.under(x.snapshot)};
  if (original->parsed.has_query) view.credentials.query = original->parsed.query;
  const auto auth_started = std::chrono::steady_clock::now();
  auto& judgement = x.judgement;
  state_.judge.judge_now(*x.route, view, policy::Side::origin, judgement);
  if (!judgement.verdict) {
    judgement.verdict = co_await state_.judge.judge_rest(*x.route, view, policy::Side::origin, judgement);
  }
  take_verdict(x, auth_started);
  auto& verdict = *x.judgement.verdict;
  if (verdict.allowed()) co_return co_await answer_allowed(x, decider->nginx_compat);
  co_return co_await reply(x, verdict.decision.status, verdict.decision.reason, std::move(verdict.challenges),
                           verdict.decision.retry_after, verdict.rendered_challenges);
}

// Not a coroutine, like reply(): send_answer() owns the rendered answer.
asio::awaitable<bool> Session::answer_allowed(Exchange& x, bool report_status) {
  const auto plan = plan_answer(x);
  AllowedDecision answer;
  answer.names = &x.snapshot->config.identity_headers;
  answer.identity = x.judgement.verdict->identity();
  answer.fields = x.judgement.verdict->response_fields;
  answer.date = thread_.date();
  answer.client_version = x.parser.get().version();
  answer.keep_alive = plan.keep;
  answer.report_status = report_status;
  x.record.status = 200;
  return send_answer(x, Answer{render_allowed_decision(answer, HeadAllocator<char>{x.arena}), plan});
}

}  // namespace authgate::gateway
