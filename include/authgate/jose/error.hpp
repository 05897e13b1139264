#pragma once
// Why a token failed verification. A closed set: the snake_case names go to logs and metrics; the short
// descriptions go into RFC 6750 §3 error_description and never carry token content or key material.

#include <boost/system/result.hpp>
#include <cstdint>
#include <string_view>

#include "authgate/reason.hpp"

namespace authgate::jose {

enum class VerifyErrc : std::uint8_t {
  too_large,         // token longer than the configured limit
  malformed,         // not three strict base64url parts, or header/payload not a JSON object
  bad_header,        // header member of the wrong type (alg/kid/typ not a string)
  alg_none,          // alg "none" in any spelling (RFC 8725 §3.2)
  alg_unknown,       // alg is not a JWS signature algorithm we implement
  alg_not_allowed,   // alg is not in the configured list
  crit_unsupported,  // a "crit" header: we implement no extension (RFC 7515 §4.1.11)
  bad_type,          // typ is absent or differs from the required one (RFC 8725 §3.11, RFC 9068 §4)
  unknown_key,       // no configured key matches kid and alg
  bad_signature,     // no candidate key verifies the signature
  expired,           // now ≥ exp + leeway (RFC 7519 §4.1.4)
  not_yet_valid,     // now + leeway < nbf (RFC 7519 §4.1.5)
  issued_in_future,  // iat > now + leeway
  bad_issuer,        // iss absent or not the configured issuer
  bad_audience,      // aud absent or none of its values is accepted
  missing_claim,     // a required claim (or exp) is absent
  bad_claim,         // a registered claim has the wrong JSON type
  no_subject,        // the identity claim (sub by default) is absent or not a non-empty string
};

/// snake_case name, e.g. "bad_signature".
std::string_view to_string(VerifyErrc code) noexcept;

/// One short sentence for error_description (RFC 6750 §3: %x20-21 / %x23-5B / %x5D-7E only).
std::string_view describe(VerifyErrc code) noexcept;

/// The access-log reason: invalid_token, token_expired, token_not_yet_valid, bad_signature,
/// unknown_key, bad_issuer, bad_audience or alg_not_allowed.
Reason to_reason(VerifyErrc code) noexcept;

/// boost::system::result needs this to turn `.value()` on an error into an exception (tests only).
[[noreturn]] void throw_exception_from_error(VerifyErrc code, const boost::source_location& loc);

template <class T>
using VerifyResult = boost::system::result<T, VerifyErrc>;

}  // namespace authgate::jose
