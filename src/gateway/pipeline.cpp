// One request through the pipeline of DESIGN.md, after its head was read and checked:
// route → body limit → credentials → authenticate → decide → local reply or forward.
#include <boost/asio/use_awaitable.hpp>

#include "authgate/grammar/parse.hpp"
#include "gateway/access_token.hpp"
#include "gateway/authenticator.hpp"
#include "gateway/form_body.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/local_reply.hpp"
#include "gateway/session_impl.hpp"

namespace authgate::gateway {
namespace {

// RFC 6750 §3.1 invalid_request, blamed on the Bearer scheme so its challenge carries the error.
Malformed invalid_request(Reason reason, std::string description) {
  return Malformed{
      reason, "Bearer", {{"error", "invalid_request"}, {"error_description", std::move(description)}}};
}

// The access_token parameters of `text` (a query or a form body): none → nothing; exactly one, with no
// other credentials, → a "Bearer <token>" field appended to `authorization` (`field` owns its bytes);
// two, or one next to other credentials, → invalid_request (RFC 6750 §2: one method per request).
std::optional<Malformed> take_access_token(std::string_view text, bool other_credentials,
                                           std::vector<std::string_view>& authorization, std::string& field) {
  const auto tokens = access_tokens_in(text);
  if (!tokens) return invalid_request(Reason::malformed_header, "The access_token parameter is malformed");
  if (tokens->empty()) return std::nullopt;
  if (tokens->size() > 1 || other_credentials) {
    return invalid_request(Reason::duplicate_credentials, "The request carries more than one token");
  }
  if (!grammar::is_token68(tokens->front())) {
    return invalid_request(Reason::malformed_header, "The access_token parameter is malformed");
  }
  field = "Bearer " + tokens->front();
  authorization.push_back(field);
  return std::nullopt;
}

// RFC 6750 §2.3: a route that enables it may carry the token as `?access_token=…`. Then `field` is set
// to "Bearer <token>" and joins `authorization`, so the token is verified and cached exactly as one
// sent in the header. Clients "MUST NOT use more than one method to transmit the token in each
// request" (§2): a token in the query next to an Authorization field, or twice, is invalid_request.
std::optional<Malformed> take_query_token(const config::CompiledRoute& route, const RequestTarget& target,
                                          std::vector<std::string_view>& authorization, std::string& field) {
  if (!route.source->token_in_query || !target.has_query) return std::nullopt;
  return take_access_token(target.query, !authorization.empty(), authorization, field);
}

// §2.2 applies to a single-part application/x-www-form-urlencoded body of a method whose body has
// semantics (POST; GET "MUST NOT be used"). Without other credentials the form is read whole (up to
// limits.max_form_token_body_bytes, else 413). Next to them it is read only when it is announced that small
// and not awaiting 100 Continue, just to refuse a second token (§2): a large or streamed body, or one the
// client holds back until told, is forwarded as it comes, as on any route.
bool wants_form_token(const config::CompiledRoute& route, const RequestParser& parser,
                      const std::vector<std::string_view>& authorization, std::size_t max_bytes) {
  const auto& request = parser.get();
  if (!route.source->token_in_form || request.method() != http::verb::post || parser.is_done() ||
      !is_form_urlencoded(request[http::field::content_type])) {
    return false;
  }
  if (authorization.empty()) return true;
  const auto length = parser.content_length();
  return length && *length <= max_bytes && request[http::field::expect].empty();
}

}  // namespace

asio::awaitable<bool> Session::handle(Exchange& x) {
  auto& request = x.parser.get();
  x.head = check_head(request.base(), x.parser.chunked(), x.snapshot->config.limits);
  if (x.head.status != 0) {
    x.keep_alive = false;
    co_return co_await reply(x, x.head.status, x.head.reason);
  }
  x.record.path = x.head.target.path;
  x.route = x.snapshot->match(x.head.host, x.head.target.match_path(), request.method_string());
  if (x.route == nullptr) {
    // No route: denied, never forwarded (server.unmatched chooses 404 or 403).
    co_return co_await reply(x, x.snapshot->unmatched_status, Reason::route_not_found);
  }
  x.record.route = x.route->source->name;
  const auto limit = x.route->max_body_bytes;
  if (limit != 0) {
    if (x.parser.content_length() && *x.parser.content_length() > limit) {
      x.keep_alive = false;  // RFC 9110 §15.5.14; the body is not read, so the connection ends
      co_return co_await reply(x, 413, Reason::request_too_large);
    }
    x.parser.body_limit(limit);
  }
  co_return co_await authorize_and_act(x);
}

asio::awaitable<bool> Session::authorize_and_act(Exchange& x) {
  const auto& route = *x.route;
  if (!route.requirement.anonymous) {
    const auto& request = x.parser.get();
    std::vector<std::string_view> authorization;
    for (const auto& field : request) {
      if (field.name() == http::field::authorization) authorization.push_back(field.value());
    }
    std::string query_field;
    std::string form_field;
    auto malformed = take_query_token(route, x.head.target, authorization, query_field);
    const auto& limits = x.snapshot->config.limits;
    if (!malformed && wants_form_token(route, x.parser, authorization, limits.max_form_token_body_bytes)) {
      const auto form = co_await read_form_body(stream_, buffer_, x.parser, scratch(),
                                                limits.max_form_token_body_bytes, limits.body_timeout);
      if (form.result != FormRead::ok) {
        // Partly read: the connection cannot carry another request. Too large for a token search → 413.
        x.keep_alive = false;
        const bool large = form.result == FormRead::too_large;
        co_return co_await reply(x, large ? 413 : 400,
                                 large ? Reason::request_too_large : Reason::bad_request);
      }
      x.form_bytes = form.bytes;
      // RFC 6750 §2.2, as for the query; next to a token in the Authorization field or the query, one
      // in the form is a second method (§2).
      malformed = take_access_token(std::string_view(scratch().data(), x.form_bytes), !authorization.empty(),
                                    authorization, form_field);
    }
    if (malformed) {
      x.outcome = std::move(*malformed);
    } else {
      x.query_token = !query_field.empty();
      // The snapshot's clock: the one its Bearer schemes check exp/nbf with, so cache expiry agrees.
      const auto now = x.snapshot->clock ? x.snapshot->clock->now() : x.record.start;
      const RequestFacts facts{request.method_string(), request.target(), x.head.host,
                               info_.client_ip,         stream_.is_tls(), now};
      const auto auth_started = std::chrono::steady_clock::now();
      // A cached verification is answered without a coroutine. (Not `hit ? … : co_await …`: GCC 12
      // miscompiles co_await inside a conditional expression.)
      Authenticator::Miss miss;
      auto answer = state_.authenticator.cached(route, authorization, facts, &miss);
      if (!answer) answer = co_await state_.authenticator.authenticate(route, authorization, facts, &miss);
      auto& result = *answer;
      x.record.auth_time = since(auth_started);
      x.record.cache_lookup = result.cache_lookup;
      x.record.cache_hit = result.cache_hit;
      x.outcome = std::move(result.outcome);
    }
  }
  const auto decision = policy::decide(route.requirement, x.outcome, policy::Side::origin);
  x.record.reason = decision.reason;
  if (const auto* ok = std::get_if<Authenticated>(&x.outcome)) {
    x.record.user = ok->identity->user;
    x.record.scheme = ok->identity->scheme;
  }
  if (decision.allowed()) co_return co_await act_forward(x, decision);

  std::vector<const Scheme*> schemes;
  for (const auto* realm : route.realms) schemes.push_back(realm->scheme.get());
  const ChallengeContext context{x.record.start, false};
  co_return co_await reply(x, decision.status, decision.reason,
                           collect_challenges(decision, schemes, context), decision.retry_after);
}

asio::awaitable<bool> Session::act_forward(Exchange& x, const policy::Decision& decision) {
  const auto* upstream = x.route->upstream;
  const auto* target = upstream != nullptr ? thread_.pool.target(*upstream) : nullptr;
  if (target == nullptr) co_return co_await reply(x, 502, Reason::upstream_error);
  ForwardContext context;
  context.client_address = info_.client_ip;
  context.secure = stream_.is_tls();
  context.identity_names = &x.snapshot->config.identity_headers;
  if (const auto* ok = std::get_if<Authenticated>(&x.outcome)) context.identity = ok->identity.get();
  context.pass_authorization = x.route->source->pass_authorization;
  context.target = target->url.base_path + x.head.target.path;
  context.default_host = target->url.authority();
  if (x.query_token) {
    // The token is ours, not the upstream's: it would end up in its access logs (RFC 6750 §5.3).
    const std::string rest = without_access_token(x.head.target.query);
    if (!rest.empty()) context.target += "?" + rest;
  } else if (x.head.target.has_query) {
    context.target += "?" + x.head.target.query;
  }

  ClientSide client{
      stream_,        buffer_,     x.parser, LazyScratch{scratch_, thread_}, x.snapshot->config.limits,
      *x.chunk_guard, x.keep_alive};
  client.primed = x.form_bytes;  // a form body read whole for its token goes upstream unchanged
  // RFC 6750 §2.3: responses to a request with the token in its URI SHOULD say Cache-Control: private.
  client.private_response = x.query_token;
  auto result = co_await forward(client, *upstream, *target, context, thread_.pool);
  x.record.upstream_time = result.upstream_time;
  x.record.bytes_in = result.bytes_in;
  if (result.response_started) {
    x.record.status = result.status;
    x.record.bytes_out = result.bytes_out;
    x.record.reason = result.reason == Reason::ok ? decision.reason : result.reason;
    co_return result.keep_alive;
  }
  if (result.status == 0) {
    x.record.reason = result.reason;
    co_return false;  // the client went away mid-request: nothing to answer
  }
  x.keep_alive = result.keep_alive;
  if (!x.parser.is_done()) unread_input_ = true;
  co_return co_await reply(x, result.status, result.reason);
}

}  // namespace authgate::gateway
