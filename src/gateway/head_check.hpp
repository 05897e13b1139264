#pragma once
// Step 1 of the request path, after Beast parsed the head: everything about the head that must be
// refused before a route is even looked at (RFC 9112 §3, §6; RFC 9110 §7.2). Pure; no I/O.

#include <string>

#include <boost/beast/http/message.hpp>

#include "authgate/reason.hpp"
#include "config/model.hpp"
#include "gateway/request_target.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

struct HeadCheck {
  int status = 0;  // 0 = fine; else 400, 414, 431 or 505 and the connection closes afterwards
  Reason reason = Reason::ok;
  RequestTarget target;  // normalised; what routes match and what is forwarded
  std::string host;      // lower-case host without port, IPv6 in brackets ("" for HTTP/1.0 without Host)
};

/// Checks a parsed request head. `chunked` is the parser's verdict on Transfer-Encoding.
/// May rewrite Host to the authority of an absolute-form target (RFC 9112 §3.2.2).
HeadCheck check_head(http::request_header<>& request, bool chunked, const config::HttpLimits& limits);

}  // namespace authgate::gateway
