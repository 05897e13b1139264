#pragma once
// Pure parsers for what key sources answer: the Cache-Control max-age of a JWKS response (RFC 9111
// §5.2.2.1) and an OpenID Connect discovery document (OpenID Connect Discovery 1.0 §3, §4.3).

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::net {

/// The freshness lifetime a Cache-Control field value grants: `max-age=N` (the first one, RFC 9111
/// §4.2.1), 0 for `no-store` / `no-cache`, nullopt when neither appears or the value is malformed.
/// Delta-seconds beyond 2^31 are read as 2^31 (RFC 9111 §1.2.2). Directive names are case-insensitive;
/// a quoted value ("60") is accepted.
std::optional<std::chrono::seconds> cache_max_age(std::string_view cache_control) noexcept;

/// The `<issuer>/.well-known/openid-configuration` URL (Discovery §4: a trailing '/' of the issuer is
/// removed before appending).
std::string discovery_url(std::string_view issuer);

/// The `jwks_uri` of a discovery document, after checking that it is one JSON object (at most 1 MiB,
/// no duplicate members) whose `issuer` is exactly `expected_issuer` (Discovery §4.3: "MUST be
/// identical", else the document must not be used — it would let one issuer serve another's keys) and
/// whose `jwks_uri` is a string. Error: one sentence (no document content beyond the names involved).
boost::system::result<std::string, std::string> parse_discovery(std::string_view document,
                                                                std::string_view expected_issuer);

}  // namespace authgate::net
