#pragma once
// Strict JSON for JOSE: RFC 8259 only (no comments, no trailing commas, valid UTF-8), depth ≤ 16, and
// duplicate member names rejected (RFC 7515 §5.2 step 4, RFC 7519 §7.2 step 4: a Header or Claims Set with
// duplicate names MUST be rejected or the last one used; we reject, so two parsers can never disagree
// about which "alg" or "sub" a token carries). Internal to the jose layer: Boost.JSON stays out of the
// public headers.

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <optional>
#include <string_view>

namespace authgate::jose::detail {

/// Nesting limit: a JOSE header, claims set or JWKS needs 4 levels; 16 leaves room and stops bombs.
inline constexpr std::size_t max_json_depth = 16;

/// Parses `text` as one JSON object whose values are allocated from `storage` (pass a stack
/// monotonic_resource on the request path: one allocation-free arena per token). nullopt for anything
/// else: syntax error, another top-level type, duplicate member names at any depth, nesting deeper than
/// max_json_depth, invalid UTF-8. Never throws. Reuses one parser per thread.
std::optional<boost::json::object> parse_json_object(std::string_view text,
                                                     boost::json::storage_ptr storage = {});

}  // namespace authgate::jose::detail
