// Who a verified token names: user, groups, scopes and the flat claim map the policy layer matches.
#include "jose/identity_claims.hpp"

#include <algorithm>
#include <string>

namespace authgate::jose::detail {
namespace {

namespace json = boost::json;

std::string text_of(const json::string& s) { return std::string(s.data(), s.size()); }

void add_unique(std::vector<std::string>& out, std::string value) {
  if (!value.empty() && std::find(out.begin(), out.end(), value) == out.end())
    out.push_back(std::move(value));
}

// Space-separated lists (RFC 6749 §3.3 scope-token lists; also common for groups).
void add_words(std::vector<std::string>& out, std::string_view text) {
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    add_unique(out, std::string(text.substr(at, end - at)));
    at = end + 1;
  }
}

// A claim that is an array of strings or one space-separated string; other element types are ignored.
void add_list_claim(std::vector<std::string>& out, const json::value* claim) {
  if (!claim) return;
  if (claim->is_string())
    add_words(out, std::string_view(claim->get_string().data(), claim->get_string().size()));
  if (!claim->is_array()) return;
  for (const json::value& element : claim->get_array()) {
    if (element.is_string()) add_unique(out, text_of(element.get_string()));
  }
}

// The text a policy compares a scalar claim value against; nullopt for values it cannot match.
std::optional<std::string> scalar_text(const json::value& value) {
  switch (value.kind()) {
    case json::kind::string:
      return text_of(value.get_string());
    case json::kind::bool_:
      return std::string(value.get_bool() ? "true" : "false");
    case json::kind::int64:
      return std::to_string(value.get_int64());
    case json::kind::uint64:
      return std::to_string(value.get_uint64());
    default:
      return std::nullopt;
  }
}

bool kept(const std::optional<std::vector<std::string>>& names, std::string_view name) {
  return !names || std::find(names->begin(), names->end(), name) != names->end();
}

void flatten_claims(const json::object& claims, const ClaimsPolicy& policy, Identity& identity) {
  for (const auto& member : claims) {
    if (!kept(policy.kept_claims, member.key())) continue;
    std::vector<std::string> values;
    if (auto text = scalar_text(member.value())) values.push_back(std::move(*text));
    if (member.value().is_array()) {
      for (const json::value& element : member.value().get_array()) {
        if (auto text = scalar_text(element)) values.push_back(std::move(*text));
      }
    }
    if (!values.empty() || member.value().is_array()) {
      identity.claims.emplace(std::string(member.key()), std::move(values));
    }
  }
}

}  // namespace

VerifyResult<Identity> identity_from_claims(const json::object& claims, const ClaimsPolicy& policy) {
  Identity identity;
  identity.scheme = "Bearer";
  const json::value* user = claims.if_contains(policy.user_claim);
  if (!user || !user->is_string() || user->get_string().empty()) return VerifyErrc::no_subject;
  identity.user = text_of(user->get_string());
  if (!policy.groups_claim.empty()) add_list_claim(identity.groups, claims.if_contains(policy.groups_claim));
  add_list_claim(identity.scopes, claims.if_contains("scope"));
  add_list_claim(identity.scopes, claims.if_contains("scp"));
  flatten_claims(claims, policy, identity);
  return identity;
}

}  // namespace authgate::jose::detail
