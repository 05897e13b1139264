// RFC 7519 §4.1 registered claims: time window, issuer, audience, required claims.
#include "authgate/jose/claims.hpp"

#include <algorithm>
#include <boost/json/monotonic_resource.hpp>
#include <cmath>

#include "jose/identity_claims.hpp"
#include "jose/json_strict.hpp"

namespace authgate::jose {
namespace {

namespace json = boost::json;
using std::chrono::system_clock;

// RFC 7519 §2 NumericDate: a JSON number of seconds since the epoch, possibly fractional.
VerifyResult<std::optional<double>> numeric_date(const json::object& claims, std::string_view name) {
  const json::value* value = claims.if_contains(name);
  if (!value) return std::optional<double>{};
  if (value->is_int64()) return std::optional<double>(static_cast<double>(value->get_int64()));
  if (value->is_uint64()) return std::optional<double>(static_cast<double>(value->get_uint64()));
  if (value->is_double()) return std::optional<double>(value->get_double());
  return VerifyErrc::bad_claim;  // a string "exp" is not a date, and is not silently ignored either
}

struct TimeWindow {
  std::optional<double> exp, nbf, iat;
};

VerifyResult<TimeWindow> time_window(const json::object& claims) {
  auto exp = numeric_date(claims, "exp");
  if (!exp) return exp.error();
  auto nbf = numeric_date(claims, "nbf");
  if (!nbf) return nbf.error();
  auto iat = numeric_date(claims, "iat");
  if (!iat) return iat.error();
  return TimeWindow{*exp, *nbf, *iat};
}

std::optional<VerifyErrc> check_time(const TimeWindow& window, const ClaimsPolicy& policy,
                                     system_clock::time_point now) {
  const double now_s = std::chrono::duration<double>(now.time_since_epoch()).count();
  const double leeway = static_cast<double>(policy.leeway.count());
  if (!window.exp && policy.require_exp) return VerifyErrc::missing_claim;
  // RFC 7519 §4.1.4: "the current date/time MUST be before the expiration date/time".
  if (window.exp && !(now_s < *window.exp + leeway)) return VerifyErrc::expired;
  // RFC 7519 §4.1.5: "the current date/time MUST be after or equal to the not-before date/time".
  if (window.nbf && now_s + leeway < *window.nbf) return VerifyErrc::not_yet_valid;
  // RFC 7519 §4.1.6 leaves iat informative; a token minted in the future means a broken or hostile
  // issuer clock, and accepting it would stretch any max-age policy built on iat.
  if (window.iat && *window.iat > now_s + leeway) return VerifyErrc::issued_in_future;
  return std::nullopt;
}

std::optional<VerifyErrc> check_issuer(const json::object& claims, const ClaimsPolicy& policy) {
  if (policy.issuer.empty()) return std::nullopt;
  const json::value* iss = claims.if_contains("iss");
  if (iss && !iss->is_string()) return VerifyErrc::bad_claim;
  // RFC 7519 §4.1.1: StringOrURI, compared as case-sensitive strings with no normalisation (§2).
  if (!iss || iss->get_string() != policy.issuer) return VerifyErrc::bad_issuer;
  return std::nullopt;
}

std::optional<VerifyErrc> check_audience(const json::object& claims, const ClaimsPolicy& policy) {
  const json::value* aud = claims.if_contains("aud");
  if (!aud) return policy.audiences.empty() ? std::nullopt : std::optional(VerifyErrc::bad_audience);
  std::vector<std::string_view> values;
  if (aud->is_string()) values.emplace_back(aud->get_string().data(), aud->get_string().size());
  if (aud->is_array()) {
    for (const json::value& element : aud->get_array()) {
      if (!element.is_string()) return VerifyErrc::bad_claim;
      values.emplace_back(element.get_string().data(), element.get_string().size());
    }
  }
  if (!aud->is_string() && !aud->is_array()) return VerifyErrc::bad_claim;
  // RFC 7519 §4.1.3: "If the principal processing the claim does not identify itself with a value in the
  // "aud" claim when this claim is present, then the JWT MUST be rejected."
  for (std::string_view value : values) {
    if (std::find(policy.audiences.begin(), policy.audiences.end(), value) != policy.audiences.end()) {
      return std::nullopt;
    }
  }
  return VerifyErrc::bad_audience;
}

std::optional<system_clock::time_point> expiry(const std::optional<double>& exp) {
  if (!exp) return std::nullopt;
  // Clamp into what system_clock (nanoseconds on libstdc++, good until 2262) can hold.
  const double seconds = std::clamp(std::floor(*exp), 0.0, 8.0e9);
  return system_clock::time_point(std::chrono::duration_cast<system_clock::duration>(
      std::chrono::seconds(static_cast<std::int64_t>(seconds))));
}

}  // namespace

VerifyResult<CheckedClaims> check_claims(std::string_view payload, const ClaimsPolicy& policy,
                                         system_clock::time_point now) {
  // The claims object only lives in this function: its values come from a stack arena, not the heap.
  unsigned char arena_buffer[4096];
  json::monotonic_resource arena(arena_buffer, sizeof arena_buffer);
  const auto claims = detail::parse_json_object(payload, json::storage_ptr(&arena));
  if (!claims) return VerifyErrc::malformed;  // RFC 7519 §7.2 step 10: the claims set is a JSON object
  auto window = time_window(*claims);
  if (!window) return window.error();
  if (auto error = check_time(*window, policy, now)) return *error;
  if (auto error = check_issuer(*claims, policy)) return *error;
  if (auto error = check_audience(*claims, policy)) return *error;
  for (const std::string& name : policy.required_claims) {
    const json::value* value = claims->if_contains(name);
    if (!value || value->is_null()) return VerifyErrc::missing_claim;
  }
  auto identity = detail::identity_from_claims(*claims, policy);
  if (!identity) return identity.error();
  return CheckedClaims{std::move(*identity), expiry(window->exp)};
}

}  // namespace authgate::jose
