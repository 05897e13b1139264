#include "http/head_check.hpp"

#include <algorithm>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"
#include "net/destination_policy.hpp"

namespace authgate::gateway {
namespace {

/// A refusal: the status and why (status 0: none). Small, so a head that passes moves no strings.
struct Refusal {
  int status = 0;
  Reason reason = Reason::ok;
};

/// `check` refused with `refusal`; returns false, as the failed step does.
bool refused(HeadCheck& check, Refusal refusal) {
  check.status = refusal.status;
  check.reason = refusal.reason;
  return false;
}

// Host (RFC 9110 §7.2, RFC 9112 §3.2): exactly one in HTTP/1.1, at most one in HTTP/1.0, and it must
// agree with an absolute-form target, which then wins.
bool check_host(RequestHead& request, HeadCheck& check) {
  std::size_t hosts = 0;
  std::string_view sent;  // one walk for both: the count and the first (with one allowed, the only) value
  for (const auto& field : request) {
    if (field.name() != http::field::host) continue;
    if (hosts++ == 0) sent = field.value();
  }
  if (hosts > 1 || (hosts == 0 && request.version() >= 11 && check.target.authority.empty())) return false;
  if (!check.target.authority.empty()) {
    if (hosts == 1 && !grammar::iequals(sent, check.target.authority)) return false;
    request.set(http::field::host, check.target.authority);
    sent = check.target.authority;  // the one Host now
    hosts = 1;
  }
  if (hosts == 0) return true;
  auto host = parse_host(sent);
  if (!host) return false;
  check.host = std::move(*host);
  return true;
}

std::string_view trim_ows(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// What every request head must be, whatever its target's form: version, method case, field count, target
// length, Transfer-Encoding.
Refusal check_common(const RequestHead& request, bool chunked, const HeadLimits& limits) {
  if (request.version() != 10 && request.version() != 11) return {505, Reason::bad_request};
  // Why: methods are case-sensitive (RFC 9110 §9.1) and routes compare them so, but frameworks such as
  // Werkzeug upper-case them: "post" would pass a route written for POST by as another method and run
  // as POST upstream. Every registered method is upper-case; a lower-case letter is refused.
  const auto method = request.method_string();
  if (std::any_of(method.begin(), method.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return {400, Reason::bad_request};
  }
  std::size_t fields = 0;
  for (auto it = request.begin(); it != request.end(); ++it) ++fields;
  if (fields > limits.max_header_count) return {431, Reason::header_too_large};
  if (request.target().size() > limits.max_uri_bytes) return {414, Reason::uri_too_long};
  // Why: a Transfer-Encoding that does not end in chunked, or any in HTTP/1.0, leaves the body length
  // unknown; guessing is how request smuggling starts (RFC 9112 §6.1, §6.3).
  switch (classify_transfer_encoding(request)) {
    case TransferCoding::none:
      break;
    case TransferCoding::chunked:
      if (!chunked || request.version() < 11) return {400, Reason::bad_request};
      break;
    case TransferCoding::unsupported:
      // RFC 9112 §6.1: a server that receives a transfer coding it does not understand SHOULD 501.
      return {request.version() < 11 ? 400 : 501, Reason::bad_request};
    case TransferCoding::invalid:
      return {400, Reason::bad_request};
  }
  return {};
}

}  // namespace

TransferCoding classify_transfer_encoding(const Fields& fields) {
  std::size_t codings = 0;
  std::size_t chunked_at = 0;  // 1-based position of chunked; 0 = not seen
  bool seen_field = false;
  for (const auto& field : fields) {
    if (field.name() != http::field::transfer_encoding) continue;
    seen_field = true;
    std::string_view rest = field.value();
    for (;;) {
      const auto comma = rest.find(',');
      const auto element = trim_ows(rest.substr(0, comma));
      if (!element.empty()) {
        // Why: a parameter, a quoted string or a stray character is a coding another parser may read
        // differently; only a clean token list frames a body unambiguously (RFC 9112 §6.1, §11.2).
        if (!grammar::is_token(element)) return TransferCoding::invalid;
        ++codings;
        if (grammar::iequals(element, "chunked")) {
          if (chunked_at != 0) return TransferCoding::invalid;  // chunked twice (§6.1: MUST NOT)
          chunked_at = codings;
        }
      }
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (!seen_field) return TransferCoding::none;
  if (codings == 0 || chunked_at != codings) return TransferCoding::invalid;  // length unknown (§6.3)
  // Why not pass gzip etc. on: the relay re-chunks the body and drops Transfer-Encoding (hop-by-hop),
  // so the upstream would get gzip bytes it was never told about.
  return codings == 1 ? TransferCoding::chunked : TransferCoding::unsupported;
}

bool check_head(RequestHead& request, bool chunked, const HeadLimits& limits, HeadCheck& check) {
  if (const auto common = check_common(request, chunked, limits); common.status != 0)
    return refused(check, common);
  auto target = parse_request_target(request.target());
  if (!target) return refused(check, {400, Reason::bad_request});
  check.target = std::move(*target);
  if (check.target.path == "*" && request.method() != http::verb::options)
    return refused(check, {400, Reason::bad_request});
  if (!check_host(request, check)) return refused(check, {400, Reason::bad_request});
  return true;
}

HeadCheck check_head(RequestHead& request, bool chunked, const HeadLimits& limits) {
  HeadCheck check;
  check_head(request, chunked, limits, check);
  return check;
}

HeadCheck check_connect_head(const RequestHead& request, bool chunked, const HeadLimits& limits) {
  HeadCheck check;
  if (const auto common = check_common(request, chunked, limits); common.status != 0) {
    refused(check, common);
    return check;
  }
  // RFC 9110 §9.3.6: CONNECT content has no defined meaning; a body would be tunnelled as if it were the
  // first bytes of the connection, or be a request smuggled past the proxy's framing.
  if (chunked || request.count(http::field::transfer_encoding) != 0 ||
      (request.count(http::field::content_length) != 0 && request[http::field::content_length] != "0")) {
    refused(check, {400, Reason::bad_request});
    return check;
  }
  auto authority = net::parse_connect_authority(request.target());
  if (!authority) {
    refused(check, {400, Reason::bad_request});
    return check;
  }
  check.host = authority->host;
  check.target.authority = std::string(request.target());
  check.target.path = check.target.authority;
  return check;
}

}  // namespace authgate::gateway
