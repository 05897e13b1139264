#pragma once
// RFC 7616 §3.4.6: the `uri` of Digest credentials must name the request's target, or a captured header
// could be replayed against another resource. Pure.

#include <string_view>

namespace authgate::schemes::digest {

/// True when `uri` (from the credentials) names `target` (the request-target as received) on `host` (the
/// request's Host). Byte-identical strings match. Otherwise both must parse as URI references and agree on
/// the encoded path and query, compared exactly; absolute-form on either side (a client behind a proxy, a
/// proxy's own requests) must also agree on the host (case-insensitive) and, when both are absolute, on
/// the scheme and port. A fragment never matches (it is not part of a request-target).
bool uri_names_target(std::string_view uri, std::string_view target, std::string_view host);

}  // namespace authgate::schemes::digest
