#pragma once
// Step 1 of the request path, after Beast parsed the head: everything about the head that must be
// refused before a route is even looked at (RFC 9112 §3, §6; RFC 9110 §7.2). Pure; no I/O.

#include <string>

#include <boost/beast/http/message.hpp>

#include "authgate/reason.hpp"
#include "http/head_arena.hpp"
#include "http/request_target.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// What a request's Transfer-Encoding fields say (RFC 9112 §6.1), read strictly.
enum class TransferCoding : unsigned char {
  none,         // no Transfer-Encoding field
  chunked,      // exactly one coding, chunked: the body is relayed re-chunked
  unsupported,  // a clean list ending in chunked with other codings first (gzip, chunked) → 501
  invalid,      // anything else: not a list of tokens, chunked twice or not last, parameters → 400
};

/// Classifies every Transfer-Encoding line of `fields` taken together as one list (RFC 9110 §5.3).
/// Empty list elements are skipped (§5.6.1); codings compare case-insensitively.
TransferCoding classify_transfer_encoding(const Fields& fields);

struct HeadCheck {
  int status = 0;  // 0 = fine; else 400, 414, 431, 501 or 505 and the connection closes afterwards
  Reason reason = Reason::ok;
  RequestTarget target;  // normalised; what routes match and what is forwarded
  std::string host;      // lower-case host without port, IPv6 in brackets ("" for HTTP/1.0 without Host)
};

/// Checks a parsed request head. `chunked` is the parser's verdict on Transfer-Encoding.
/// May rewrite Host to the authority of an absolute-form target (RFC 9112 §3.2.2).
/// The limits check_head() applies (config `limits`).
struct HeadLimits {
  std::size_t max_header_count = 100;                 // → 431
  std::size_t max_uri_bytes = std::size_t{8} * 1024;  // → 414
};

HeadCheck check_head(RequestHead& request, bool chunked, const HeadLimits& limits);
/// The same, into `check` (a fresh one): the request path's form, which moves no strings. False when
/// refused (check.status says how).
bool check_head(RequestHead& request, bool chunked, const HeadLimits& limits, HeadCheck& check);

/// Checks a CONNECT head for a forward proxy (RFC 9110 §9.3.6): the same version, method, field and
/// Transfer-Encoding rules, then an authority-form target `host:port` (port required) and no body.
/// `target.authority` and `target.path` hold the target as sent, `host` its host.
HeadCheck check_connect_head(const RequestHead& request, bool chunked, const HeadLimits& limits);

}  // namespace authgate::gateway
