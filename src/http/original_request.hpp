#pragma once
// The request a front proxy asks a decision about (forward-auth, docs/forward-auth.md), read from the
// fields that front proxy sets: one style per listener, never a mix, so a client cannot add a field of
// another style that the front proxy does not overwrite. Pure; no I/O, no exceptions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/message.hpp>
#include <boost/system/result.hpp>

#include "http/head_arena.hpp"
#include "http/request_target.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// Where the original method, scheme, host and target are read.
enum class OriginalStyle : std::uint8_t {
  x_forwarded,  // X-Forwarded-Method, -Proto, -Host, -Uri (Traefik ForwardAuth, Caddy forward_auth, HAProxy)
  x_original,   // X-Original-URL (absolute) and X-Original-Method (nginx auth_request)
  envoy,        // the request's own method, Host and target after a path prefix (Envoy ext_authz HTTP)
};

/// The style a config names ("x-forwarded", "x-original", "envoy"), or nullopt.
std::optional<OriginalStyle> original_style(std::string_view name) noexcept;

/// Why the original request could not be read (each one a 400, except `too_long` → 414).
enum class OriginalError : std::uint8_t {
  missing_field,   // a field the style needs is absent
  repeated_field,  // a field the style reads came on two lines: which one the front proxy set is unknown
  bad_method,      // not a method token
  bad_proto,       // X-Forwarded-Proto other than http or https
  bad_url,         // X-Original-URL not http(s)://authority/…
  bad_host,        // not a host[:port] (RFC 9110 §7.2)
  bad_target,      // a target the reverse proxy would refuse too (request_target.hpp)
  outside_prefix,  // envoy: the target is not under the configured path prefix
  too_long,        // the original target is over limits.max_uri_bytes
};

std::string_view to_string(OriginalError error) noexcept;

struct OriginalRequest {
  std::string method;      // a token, as sent
  bool secure = false;     // scheme https
  std::string host_field;  // host[:port] as sent: what Digest's uri check and the judge see
  std::string host;        // lower-case, no port: what routes match
  std::string target;      // path[?query] as sent
  RequestTarget parsed;    // `target` normalised as the reverse proxy normalises it
};

/// Reads the original request from `request` (the decision request's head, already through check_head)
/// in `style`. `path_prefix` is Envoy's (empty or "/…" without a trailing '/'); other styles ignore it.
boost::system::result<OriginalRequest, OriginalError> read_original_request(const RequestHead& request,
                                                                            OriginalStyle style,
                                                                            std::string_view path_prefix,
                                                                            std::size_t max_uri_bytes);

/// The entries of every X-Forwarded-For line in order (left = farthest from us), OWS trimmed, empty list
/// elements skipped; at most the last `max_entries` (the right-most are the ones a trusted hop wrote).
std::vector<std::string_view> forwarded_for_chain(const Fields& fields, std::size_t max_entries = 32);

}  // namespace authgate::gateway
