#include "gateway/head_check.hpp"

#include <boost/beast/core/string.hpp>

namespace authgate::gateway {
namespace {

namespace beast = boost::beast;

HeadCheck refuse(int status, Reason reason) {
  HeadCheck check;
  check.status = status;
  check.reason = reason;
  return check;
}

std::size_t count_named(const http::fields& fields, http::field name) {
  std::size_t n = 0;
  for (const auto& field : fields) n += field.name() == name ? 1 : 0;
  return n;
}

// Host (RFC 9110 §7.2, RFC 9112 §3.2): exactly one in HTTP/1.1, at most one in HTTP/1.0, and it must
// agree with an absolute-form target, which then wins.
bool check_host(http::request_header<>& request, HeadCheck& check) {
  const auto hosts = count_named(request, http::field::host);
  if (hosts > 1 || (hosts == 0 && request.version() >= 11 && check.target.authority.empty())) return false;
  if (!check.target.authority.empty()) {
    if (hosts == 1 && !beast::iequals(request[http::field::host], check.target.authority)) return false;
    request.set(http::field::host, check.target.authority);
  }
  if (count_named(request, http::field::host) == 0) return true;
  auto host = parse_host(request[http::field::host]);
  if (!host) return false;
  check.host = std::move(*host);
  return true;
}

}  // namespace

HeadCheck check_head(http::request_header<>& request, bool chunked, const config::HttpLimits& limits) {
  if (request.version() != 10 && request.version() != 11) return refuse(505, Reason::bad_request);
  std::size_t fields = 0;
  for (auto it = request.begin(); it != request.end(); ++it) ++fields;
  if (fields > limits.max_header_count) return refuse(431, Reason::header_too_large);
  if (request.target().size() > limits.max_uri_bytes) return refuse(414, Reason::uri_too_long);
  // Why: a Transfer-Encoding that does not end in chunked, or any in HTTP/1.0, leaves the body length
  // unknown; guessing is how request smuggling starts (RFC 9112 §6.1, §6.3).
  if (count_named(request, http::field::transfer_encoding) > 0 && (!chunked || request.version() < 11)) {
    return refuse(400, Reason::bad_request);
  }
  auto target = parse_request_target(request.target());
  if (!target) return refuse(400, Reason::bad_request);
  HeadCheck check;
  check.target = std::move(*target);
  if (check.target.path == "*" && request.method() != http::verb::options)
    return refuse(400, Reason::bad_request);
  if (!check_host(request, check)) return refuse(400, Reason::bad_request);
  return check;
}

}  // namespace authgate::gateway
