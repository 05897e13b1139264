#pragma once
// Whether a request's Accept field (RFC 9110 §12.5.1) asks for HTML rather than plain text: the gateway's
// own answers (401, 403, 429, 5xx, …) are a small HTML page for browsers and plain text for everyone else,
// as now. Untrusted input (fuzzed: fuzz/http_accept_html.cpp).

#include <string_view>

namespace authgate::gateway {

/// True when `accept` names text/html or application/xhtml+xml with a weight above 0 and at least the
/// weight it gives text/plain by name. Wildcards alone (curl's `*/*`), a missing or malformed field: false.
/// Malformed elements are skipped, never guessed at; at most max_accept_elements are read.
bool prefers_html(std::string_view accept) noexcept;

inline constexpr int max_accept_elements = 64;

}  // namespace authgate::gateway
