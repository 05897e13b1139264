#pragma once
// RFC 7616 §3.4.6: the `uri` of Digest credentials must name the request's target, or a captured header
// could be replayed against another resource. Pure.

#include <string_view>

namespace authgate::schemes::digest {

/// True when `uri` (from the credentials) names `target` (the request-target as received) on `host` (the
/// request's Host field, with its port if any) over TLS when `secure`. Byte-identical strings match.
/// Otherwise both must parse as URI references and agree on the encoded path and query, compared
/// exactly. An absolute-form `uri` against an origin-form target must name this request's origin: scheme
/// http (https when `secure`), the Host's host (case-insensitive) and port (the scheme's default when
/// absent). Against an absolute-form target (a proxy's request) an absolute `uri` must agree on scheme,
/// host and port, and an origin-form one names that target. A fragment never matches.
bool uri_names_target(std::string_view uri, std::string_view target, std::string_view host, bool secure);

}  // namespace authgate::schemes::digest
