#pragma once
// How a route's `match` selects requests: host patterns, segment-boundary path prefixes, methods. Used
// by Snapshot::match() on every request and by validate() to find routes that can never match.

#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"

namespace authgate::config {

/// `pattern` (lower-case: a name, "*.suffix", an IP literal) against a request host without port, case-
/// insensitively. "*.example.org" matches one or more labels before ".example.org", never the bare name.
/// One trailing dot on the host is ignored ("example.org." is "example.org").
bool host_matches(std::string_view pattern, std::string_view host) noexcept;

/// A route path against a normalised request path (no query). `exact`: equal bytes. Otherwise a prefix
/// on segment boundaries: "/admin" matches "/admin", "/admin/" and "/admin/x", not "/administrator";
/// "/admin/" matches "/admin/" and below, not "/admin"; "/" matches every path.
bool path_matches(std::string_view route_path, bool exact, std::string_view path) noexcept;

/// Every request `later` matches is also matched by `earlier` (so `later`, listed after, never wins).
bool match_covers(const RouteMatch& earlier, const RouteMatch& later) noexcept;

/// Whether a request matches `match` as a whole. `methods` of `match` are upper-case; the request method
/// is compared exactly (RFC 9110 §9.1: methods are case-sensitive).
bool request_matches(const RouteMatch& match, std::string_view host, std::string_view path,
                     std::string_view method) noexcept;

}  // namespace authgate::config
