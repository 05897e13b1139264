#pragma once
// Strict JSON for JOSE: RFC 8259 only (no comments, no trailing commas, valid UTF-8), bounded depth, and
// duplicate member names rejected (RFC 7515 §5.2 step 4, RFC 7519 §7.2 step 4: a Header or Claims Set with
// duplicate names MUST be rejected or the last one used; we reject, so two parsers can never disagree
// about which "alg" or "sub" a token carries). Internal to the jose layer: Boost.JSON stays out of the
// public headers.

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string_view>

namespace authgate::jose::detail {

/// Parses `text` as one JSON object. nullopt for anything else: syntax error, another top-level type,
/// duplicate member names at any depth, nesting deeper than `max_depth`, invalid UTF-8. Never throws.
std::optional<boost::json::object> parse_json_object(std::string_view text, std::size_t max_depth = 16);

}  // namespace authgate::jose::detail
