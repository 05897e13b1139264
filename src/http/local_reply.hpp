#pragma once
// The one place that renders a response the gateway answers itself (400/401/403/404/408/413/414/431,
// 429, 5xx). Schemes hand their challenges over as data; this file turns a policy::Decision into the
// field lines, so several schemes on one route never clobber each other.

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/status.hpp>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/policy/decision.hpp"
#include "http/head_arena.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// A route's challenges rendered once, at config load, when no scheme of the route varies them (no Digest
/// nonce): the field values in realm order, and all of them as one list for a front proxy that passes only
/// one line. The plain 401 then builds no challenge at all.
struct RenderedChallenges {
  std::vector<std::string> values;
  std::string joined;
};

struct LocalReply {
  int status = 500;
  unsigned client_version = 11;  // the request's HTTP version: 10 gets `Connection: keep-alive`
  bool head = false;             // HEAD request: same fields and Content-Length, no body
  bool keep_alive = true;
  policy::Side side = policy::Side::origin;
  std::vector<grammar::Challenge> challenges;               // one WWW-/Proxy-Authenticate line each
  const RenderedChallenges* rendered_challenges = nullptr;  // instead of `challenges`: already rendered
  std::chrono::seconds retry_after{0};                      // sent on 429 and 503 (at least 1 s on 503)
  /// Forward-auth's nginx_compat (docs/forward-auth.md): the status meant, sent as `X-Authgate-Status`
  /// and deciding Retry-After, while `status` is what goes on the status line. 0 = `status` itself.
  int meant_status = 0;
  bool one_challenge_field = false;  // every challenge in one field line (nginx passes only the first)
  bool html = false;  // the client prefers HTML (http/accept_html.hpp): the page of error_page.hpp
  /// The operator's page for this status (config `error_pages`), sent instead of the built-in one when
  /// `html`; nullptr: the built-in page. Must outlive the call (it points into the config snapshot).
  const std::string* custom_page = nullptr;
  std::string_view date;  // IMF-fixdate, RFC 9110 §6.6.1 (the I/O thread's, valid while rendering)
};

/// The response: status line, Date, Content-Type text/plain, Cache-Control: no-store on 401/403/407,
/// the challenge lines, Retry-After on 429/503, Connection: close when not keeping the connection (keep-alive
/// for an HTTP/1.0 client that keeps it),
/// the body "<code> <reason>\n" (none for HEAD) with a correct Content-Length. With `html`: Content-Type
/// text/html, nosniff and a Content-Security-Policy that allows nothing but the page's own style, and the
/// page as body; a custom page may also use styles, images and fonts from its own origin (never scripts).
/// A local reply as it goes on the wire, head and body.
struct RenderedReply {
  ArenaString wire;            // in the request's arena when rendered with its allocator
  std::size_t body_bytes = 0;  // of which body (0 for HEAD)
};

RenderedReply render_local_reply(const LocalReply& reply, const HeadAllocator<char>& allocator = {});

/// IMF-fixdate for `when`, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
std::string http_date(std::chrono::system_clock::time_point when);

}  // namespace authgate::gateway
