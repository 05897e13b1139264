#pragma once
// What both Bearer schemes (JWT and RFC 7662 introspection) share: the RFC 6750 challenge and the
// syntax check of the credentials. Internal to the schemes layer.

#include <optional>
#include <string>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/outcome.hpp"

namespace authgate::schemes::detail {

inline constexpr std::string_view bearer_scheme_name = "Bearer";

/// RFC 6750 §3: realm, and scope when the realm publishes one. No error code: a request without
/// credentials gets a bare challenge (§3.1 "SHOULD NOT include an error code").
inline grammar::Challenge bearer_challenge(const std::string& realm, const std::string& scope) {
  grammar::Challenge challenge{std::string(bearer_scheme_name), std::nullopt, {{"realm", realm}}};
  if (!scope.empty()) challenge.params.push_back({"scope", scope});
  return challenge;
}

/// RFC 6750 §3.1 invalid_request, blamed on the Bearer scheme so its challenge carries the error: a
/// Bearer field that does not parse (malformed_header) or a request with more than one token
/// (duplicate_credentials, §2 "MUST NOT use more than one method").
inline Malformed invalid_request(Reason reason, std::string description = {}) {
  if (description.empty()) {
    description = reason == Reason::duplicate_credentials ? "The request carries more than one token"
                                                          : "The Bearer credentials are malformed";
  }
  return Malformed{reason,
                   std::string(bearer_scheme_name),
                   {{"error", "invalid_request"}, {"error_description", std::move(description)}}};
}

/// The outcome for credentials that are not a well-formed Bearer token, or nullopt when
/// `credentials.token68` holds one. Another scheme → Rejected scheme_not_accepted; RFC 6750 §2.1
/// (`"Bearer" 1*SP b64token`, no auth-params) broken → Malformed with error="invalid_request".
inline std::optional<Outcome> bearer_syntax_problem(const grammar::Credentials& credentials) {
  if (!grammar::iequals(credentials.scheme, bearer_scheme_name)) {
    return Rejected{Reason::scheme_not_accepted, std::string(bearer_scheme_name), {}};
  }
  if (!credentials.token68 || !credentials.params.empty() || !grammar::is_token68(*credentials.token68)) {
    return invalid_request(Reason::malformed_header);
  }
  return std::nullopt;
}

}  // namespace authgate::schemes::detail
