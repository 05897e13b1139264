#pragma once
// The request-target and Host of one request, made unambiguous before any route is matched.
// Pure functions: no I/O, no Beast, no exceptions; every rejection is a value with a reason.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::gateway {

/// Why a request-target or Host was refused (each one is a 400, except `too_long` → 414).
enum class TargetError : std::uint8_t {
  empty,                  // no target at all
  not_origin_form,        // neither "/path", "http(s)://authority/path" nor "*"
  bad_percent,            // '%' not followed by two hex digits
  encoded_nul,            // %00 anywhere in the path
  encoded_slash,          // %2F or %5C: one path, two meanings for the upstream
  bad_char,               // control character, space or '\' in the path
  userinfo,               // absolute-form authority with "user@" (RFC 9110 §4.2.4: never sent)
  bad_host,               // Host / authority that is not a DNS name, IPv4 or [IPv6] with an optional port
  dot_segment_parameter,  // "..;x" or ".;x": a dot-segment to servlet stacks, a name to us
  ambiguous_escape,       // %3B, %25 + hex, overlong UTF-8: another path to another decoder
};

std::string_view to_string(TargetError error) noexcept;

/// A request-target split and normalised. `path` is what routes match on and what is forwarded.
struct RequestTarget {
  std::string path;        // normalised path, always starting with '/' (or "*" for asterisk-form)
  std::string route_path;  // `path` without `;` parameters when it has any (else empty): what routes match
  std::string query;       // the raw query without '?', forwarded byte for byte
  bool has_query = false;  // "?" was present (even when the query is empty)
  std::string authority;   // absolute-form only: the host[:port] from the target, else empty

  /// The path routes match: without `;` path parameters, as servlet stacks route (issue 11 F3). The
  /// upstream still receives `path`, parameters and all.
  const std::string& match_path() const noexcept { return route_path.empty() ? path : route_path; }
};

/// Normalises an origin-form path (RFC 3986 §6.2.2): decodes percent-encoded unreserved characters,
/// upper-cases the hex of the other escapes, merges repeated '/', removes dot-segments (§5.2.4).
/// Rejects %00, %2F, %5C, raw '\', controls, broken escapes and ambiguous ones (%3B, %25 followed by
/// two hex digits, overlong UTF-8 forms).
boost::system::result<std::string, TargetError> normalize_path(std::string_view path);

/// Splits and normalises origin-form, absolute-form (http/https) and asterisk-form targets
/// (RFC 9112 §3.2); a path with `;` parameters also gets its route_path (see match_path()). Authority-form
/// (CONNECT) is not served by a reverse proxy → not_origin_form.
boost::system::result<RequestTarget, TargetError> parse_request_target(std::string_view target);

/// The host part of a Host field value or authority, lower-cased, without the port and without a
/// trailing root dot (an IPv6 literal keeps its brackets, as Snapshot::match expects). Rejects anything
/// that is not `host [":" port]` (RFC 9110 §7.2) with a DNS name, IPv4 or IPv6 host: no `%`, no
/// sub-delims.
boost::system::result<std::string, TargetError> parse_host(std::string_view host_field);

}  // namespace authgate::gateway
