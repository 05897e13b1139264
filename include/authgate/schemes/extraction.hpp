#pragma once
// Credential extraction: which one set of credentials a request presents. The credentials field of the
// side (Authorization to an origin, Proxy-Authorization to a proxy) for every scheme, plus the RFC 6750
// token locations Bearer adds where a route allows them (§2.3 `?access_token=`, §2.2 form body).
// Pure; views into the request, nothing parsed beyond what the choice needs.

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>

#include "authgate/outcome.hpp"
#include "authgate/scheme.hpp"

namespace authgate::schemes {

/// Where a route lets a Bearer token come from besides the credentials field (off by default).
struct TokenLocations {
  bool query = false;  // RFC 6750 §2.3: ?access_token=
  bool form = false;   // RFC 6750 §2.2: access_token in an application/x-www-form-urlencoded body
};

/// The parts of one request that may carry credentials.
struct CredentialSources {
  std::span<const std::string_view> fields;  // every line of the side's credentials field, in order
  std::optional<std::string_view> query;     // the target's query, when it has one
  std::optional<std::string_view> form;      // the form body, when the gateway read it for a token
};

enum class CredentialSource : unsigned char { field, query, form };

/// The request's one set of credentials as the field value its scheme verifies: the field line itself,
/// or "Bearer <token>" for a token from the query or the form (then verified and cached exactly as one
/// sent in the field).
struct Presented {
  std::string_view field;
  std::string_view scheme;  // the field's first word: which realms may judge it
  CredentialSource from = CredentialSource::field;
};

using Extraction = std::variant<NoCredentials, Presented, Malformed>;

/// One set of credentials per request (RFC 9110 §11.6.2; RFC 6750 §2 "MUST NOT use more than one
/// method"): two field lines, two tokens, or a token next to a field → Malformed duplicate_credentials;
/// a broken `access_token` → Malformed malformed_header. Malformed outcomes name the route's scheme the
/// credentials name (its Scheme::malformed(): Bearer's invalid_request), else none (a plain 400).
/// `schemes`: the route's realms' schemes. `storage` holds "Bearer <token>" when the token came from
/// the query or the form; the result's `field` then points into it.
Extraction extract_credentials(std::span<const Scheme* const> schemes, const TokenLocations& where,
                               const CredentialSources& sources, std::string& storage);

/// The outcome for credentials naming `scheme_name` that break the syntax: that scheme's malformed()
/// when the route accepts it, else a plain 400 naming no scheme.
Malformed malformed_credentials(std::span<const Scheme* const> schemes, std::string_view scheme_name,
                                Reason reason);

/// The scheme name a credentials field starts with (its first word, up to a space).
inline std::string_view scheme_of(std::string_view field) noexcept {
  return field.substr(0, field.find(' '));
}

}  // namespace authgate::schemes
