// One request through the pipeline of DESIGN.md, after its head was read and checked:
// route → body limit → credentials → authenticate → decide → local reply or forward.
#include <algorithm>

#include <boost/asio/use_awaitable.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"

#include "gateway/authn/judge.hpp"
#include "gateway/conn/session_impl.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/proxy/form_body.hpp"
#include "http/field_edits.hpp"
#include "schemes/bearer/access_token.hpp"

namespace authgate::gateway {
namespace {

// RFC 6750 §2.2 applies to a single-part application/x-www-form-urlencoded body of a method whose body
// has semantics (POST; GET "MUST NOT be used"). Without other credentials the form is read whole (up to
// limits.max_form_token_body_bytes, else 413). Next to them it is read only when it is announced that
// small and not awaiting 100 Continue, just to refuse a second token (§2): a large or streamed body, or
// one the client holds back until told, is forwarded as it comes, as on any route.
bool wants_form_token(const config::CompiledRoute& route, const RequestParser& parser,
                      const schemes::CredentialSources& credentials, std::size_t max_bytes) {
  const auto& request = parser.get();
  if (route.requirement.anonymous || !route.token_locations.form || request.method() != http::verb::post ||
      parser.is_done() || !is_form_urlencoded(request[http::field::content_type])) {
    return false;
  }
  const bool other = !credentials.fields.empty() || (route.token_locations.query && credentials.query);
  if (!other) return true;
  const auto length = parser.content_length();
  return length && *length <= max_bytes && request[http::field::expect].empty();
}

// RFC 7616 §3.4.3: qop=auth-int hashes the body, so a Digest request that says so is read whole (up to
// limits.max_auth_int_body_bytes, else 413) before it is judged. Decided on the parsed qop, as the scheme
// reads it (a quoted-pair may spell it); the parse is skipped for the fields that cannot hold it.
bool wants_auth_int_body(const config::CompiledRoute& route, const schemes::CredentialSources& credentials) {
  if (route.requirement.anonymous || credentials.fields.size() != 1) return false;
  // The route's schemes first: on a route without Digest (most), the field is never looked at.
  const bool offered = std::any_of(route.schemes.begin(), route.schemes.end(),
                                   [](const Scheme* s) { return grammar::iequals(s->name(), "Digest"); });
  if (!offered) return false;
  const std::string_view field = credentials.fields.front();
  if (!grammar::iequals(schemes::scheme_of(field), "Digest")) return false;
  if (field.find("auth-int") == std::string_view::npos && field.find('\\') == std::string_view::npos) {
    return false;
  }
  const auto parsed = grammar::parse_credentials(field);
  return parsed && std::any_of(parsed->params.begin(), parsed->params.end(), [](const grammar::AuthParam& p) {
           return grammar::iequals(p.name, "qop") && p.value == "auth-int";
         });
}

}  // namespace

std::optional<Session::Refusal> Session::admit(Exchange& x) {
  auto& request = x.parser.get();
  const auto& limits = x.snapshot->config.limits;
  check_head(request.base(), x.parser.chunked(), {limits.max_header_count, limits.max_uri_bytes}, x.head);
  if (x.head.status != 0) {
    x.keep_alive = false;
    return Refusal{x.head.status, x.head.reason};
  }
  x.record.path = x.head.target.path;
  x.route = x.snapshot->match(x.head.host, x.head.target.match_path(), request.method_string());
  if (x.route == nullptr) {
    // No route: denied, never forwarded (server.unmatched chooses 404 or 403).
    return Refusal{x.snapshot->unmatched_status, Reason::route_not_found};
  }
  x.record.route = x.route->source->name;
  if (!apply_body_limit(x)) {
    x.keep_alive = false;  // RFC 9110 §15.5.14; the body is not read, so the connection ends
    return Refusal{413, Reason::request_too_large};
  }
  return std::nullopt;
}

bool Session::apply_body_limit(Exchange& x) {
  const auto limit = x.route->max_body_bytes;
  if (limit == 0) return true;
  if (x.parser.content_length() && *x.parser.content_length() > limit) return false;
  x.parser.body_limit(limit);
  return true;
}

asio::awaitable<bool> Session::authorize_and_act(Exchange& x) {
  const auto& route = *x.route;
  const auto& request = x.parser.get();
  const auto side = info_.side;
  // The view the judge reads: this connection's own head, the side's credentials field, the query.
  const auto fields = credential_lines(request, side);
  // The snapshot's clock: the one its Bearer schemes check exp/nbf with, so cache expiry agrees.
  const auto now = x.snapshot->clock ? x.snapshot->clock->now() : x.record.start;
  RequestView view{{request.method_string(), request.target(), first_value(request, http::field::host),
                    client_address(x), stream_.is_tls(), now, std::nullopt},
                   {fields, std::nullopt, std::nullopt},
                   memo_.under(x.snapshot)};
  if (x.head.target.has_query) view.credentials.query = x.head.target.query;

  // A body the judge reads is read whole first (rare: one co_await here, the reading in its own frame).
  const auto& limits = x.snapshot->config.limits;
  const bool form = wants_form_token(route, x.parser, view.credentials, limits.max_form_token_body_bytes);
  if (form || wants_auth_int_body(route, view.credentials)) {
    const auto refused = co_await read_judged_body(x, form);
    if (refused) co_return co_await reply(x, refused->status, refused->reason);
    const std::string_view body(scratch().data(), x.body_bytes);
    if (form) {
      view.credentials.form = body;
    } else {
      view.facts.body = body;
    }
  }

  const auto auth_started = std::chrono::steady_clock::now();
  // A verdict that needs no wait (the common case) is reached without a coroutine. (Not
  // `ready ? … : co_await …`: GCC 12 miscompiles co_await inside a conditional expression.)
  auto& judgement = x.judgement;
  state_.judge.judge_now(route, view, side, judgement);
  if (!judgement.verdict) judgement.verdict = co_await state_.judge.judge_rest(route, view, side, judgement);
  take_verdict(x, auth_started);
  auto& verdict = *x.judgement.verdict;
  if (verdict.allowed()) {
    co_return co_await std::visit([&](const auto& action) { return act(x, action); }, route.action);
  }
  // The refusal (401, 403, 429…), sent without another coroutine frame when the socket takes it at once.
  // (Kept in the exchange: this frame is at Asio's recycling limit.)
  auto& answer = x.answer.emplace(render_reply(x, verdict.decision.status, verdict.decision.reason,
                                               std::move(verdict.challenges), verdict.decision.retry_after,
                                               verdict.rendered_challenges));
  if (const auto keep = answer_now(answer)) co_return *keep;
  co_return co_await send_answer(x, std::move(answer));
}

asio::awaitable<std::optional<Session::Refusal>> Session::read_judged_body(Exchange& x, bool form) {
  const auto& limits = x.snapshot->config.limits;
  const auto limit = form ? limits.max_form_token_body_bytes : limits.max_auth_int_body_bytes;
  const auto body =
      co_await read_form_body(stream_, buffer_, x.parser, scratch(), limit, limits.body_timeout);
  if (body.result != FormRead::ok) {
    // Partly read: the connection cannot carry another request. Too large to judge by → 413.
    x.keep_alive = false;
    const bool large = body.result == FormRead::too_large;
    co_return Refusal{large ? 413 : 400, large ? Reason::request_too_large : Reason::bad_request};
  }
  x.body_bytes = body.bytes;
  co_return std::nullopt;
}

std::string_view Session::client_address(Exchange& x) const {
  const auto* proxies = x.snapshot->trusted_proxies_of(info_.listener);
  // Why: X-Forwarded-For is the client's own claim unless a proxy we trust wrote it.
  if (proxies == nullptr || !x.from_trusted_proxy) return info_.client_ip;
  x.record.forwarded_for = forwarded_client(x.parser.get(), *proxies);
  return x.record.forwarded_for;
}

void Session::take_verdict(Exchange& x, std::chrono::steady_clock::time_point started) {
  const auto& verdict = *x.judgement.verdict;  // read where the judge left it: no move, no second copy
  if (!x.route->requirement.anonymous) x.record.auth_time = since(started);
  x.record.cache_lookup = verdict.cache_lookup;
  x.record.cache_hit = verdict.cache_hit;
  x.record.reason = verdict.decision.reason;
  if (const auto* who = verdict.identity()) {
    x.record.user = who->user;
    x.record.scheme = who->scheme;
  } else if (!verdict.throttled_by.empty()) {
    x.record.user = verdict.claimed_user;  // who was being guessed: what fail2ban and operators look for
    x.record.throttled_by = verdict.throttled_by;
  }
}

asio::awaitable<bool> Session::act(Exchange& x, const config::ForwardTo& forward_to) {
  const auto& verdict = *x.judgement.verdict;
  const auto* upstream = forward_to.upstream;
  const auto* target = upstream != nullptr ? thread_.pool.target(*upstream) : nullptr;
  if (target == nullptr) co_return co_await reply(x, 502, Reason::upstream_error);
  ForwardContext context;
  context.client_address = info_.client_ip;
  context.secure = stream_.is_tls();
  context.request_id = x.record.request_id.view();
  context.identity_names = &x.snapshot->config.identity_headers;
  context.identity = verdict.identity();
  context.side = info_.side;
  context.pass_authorization = x.route->pass_authorization;
  context.target = target->url.base_path + x.head.target.path;
  context.default_host = target->authority;
  const bool query_token = verdict.source == schemes::CredentialSource::query;
  if (query_token) {
    // The token is ours, not the upstream's: it would end up in its access logs (RFC 6750 §5.3).
    const std::string rest = schemes::without_access_token(x.head.target.query);
    if (!rest.empty()) context.target += "?" + rest;
  } else if (x.head.target.has_query) {
    context.target += "?" + x.head.target.query;
  }

  ClientSide client{
      stream_,        buffer_,    x.parser,    LazyScratch{scratch_, thread_}, x.snapshot->config.limits,
      *x.chunk_guard, x.response, x.keep_alive};
  client.primed = x.body_bytes;  // a body read whole before judging goes upstream unchanged
  // RFC 6750 §2.3: responses to a request with the token in its URI SHOULD say Cache-Control: private.
  client.private_response = query_token;
  client.response_fields = verdict.response_fields;
  const auto result = co_await forward(client, *upstream, *target, context, thread_.pool);
  if (const auto keep = settle_forward(x, result)) co_return *keep;
  co_return co_await reply(x, result.status, result.reason);  // 502, 504, 413 or 400: nothing was sent
}

std::optional<bool> Session::settle_forward(Exchange& x, const ProxyResult& result) {
  // The response parser's chunk callback points at forward()'s guard, gone now: the parser goes too.
  x.response.reset();
  const auto& verdict = *x.judgement.verdict;
  x.record.upstream_time = result.upstream_time;
  x.record.bytes_in = result.bytes_in;
  if (result.response_started) {
    x.record.status = result.status;
    x.record.bytes_out = result.bytes_out;
    x.record.reason = result.reason == Reason::ok ? verdict.decision.reason : result.reason;
    return result.keep_alive;
  }
  if (result.status == 0) {
    x.record.reason = result.reason;
    return false;  // the client went away mid-request: nothing to answer
  }
  x.keep_alive = result.keep_alive;
  if (!x.parser.is_done()) unread_input_ = true;
  return std::nullopt;
}

}  // namespace authgate::gateway
