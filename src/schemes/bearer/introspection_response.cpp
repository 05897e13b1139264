// RFC 7662 §2.2 introspection responses: strict JSON, `active` decides, the rest is checked like JWT
// claims (jose::check_claims), so both Bearer kinds build identities the same way.
#include <boost/json/serialize.hpp>
#include <utility>

#include "authgate/jose/claims.hpp"
#include "authgate/schemes/identity_fields.hpp"
#include "jose/json_strict.hpp"
#include "schemes/bearer/introspection_detail.hpp"

namespace authgate::schemes::detail {
namespace {

Rejected invalid_token(Reason reason, std::string_view description) {
  // RFC 6750 §3.1: an inactive, expired or otherwise unacceptable token is invalid_token → 401.
  return Rejected{
      reason, "Bearer", {{"error", "invalid_token"}, {"error_description", std::string(description)}}};
}

}  // namespace

Outcome interpret_introspection(std::string_view body, const IntrospectionPolicy& policy,
                                std::chrono::system_clock::time_point now,
                                std::chrono::milliseconds cache_ttl) {
  if (body.size() > max_introspection_response_bytes) return Unavailable{Reason::introspection_unavailable};
  auto root = jose::detail::parse_json_object(body);
  if (!root) return Unavailable{Reason::introspection_unavailable};
  const auto* active = root->if_contains("active");
  // RFC 7662 §2.2: "active" is REQUIRED and a boolean. Anything else is a broken server, not a verdict
  // about the token: answering 401 would make clients throw away good tokens.
  if (active == nullptr || !active->is_bool()) return Unavailable{Reason::introspection_unavailable};
  if (!active->get_bool()) return invalid_token(Reason::token_inactive, "The token is not active");

  jose::ClaimsPolicy claims;
  claims.issuer = policy.issuer;
  claims.audiences = policy.audiences;
  claims.leeway = policy.leeway;
  claims.require_exp = false;  // RFC 7662 §2.2: exp is OPTIONAL; cache_ttl bounds the cache instead
  claims.user_claim = policy.user_claim;
  claims.groups_claim = policy.groups_claim;
  if (!root->contains(policy.user_claim) && root->contains("username")) claims.user_claim = "username";
  // Servers commonly report the token's audience even when this realm does not restrict it; with no
  // audience configured it is not ours to judge (check_claims would refuse any `aud`, RFC 7519 §4.1.3).
  if (policy.audiences.empty()) root->erase("aud");
  const std::string payload = boost::json::serialize(*root);
  auto checked = jose::check_claims(payload, claims, now);
  if (!checked) return invalid_token(jose::to_reason(checked.error()), jose::describe(checked.error()));

  auto not_after = now + cache_ttl;
  if (checked->expires_at && *checked->expires_at < not_after) not_after = *checked->expires_at;
  if (const auto problem = schemes::identity_field_problem(checked->identity)) {
    return invalid_token(Reason::unsafe_identity, *problem);
  }
  return Authenticated{std::move(checked->identity), not_after};
}

}  // namespace authgate::schemes::detail
