// Names, descriptions and access-log reasons of verification failures.
#include "authgate/jose/error.hpp"

#include <boost/throw_exception.hpp>
#include <stdexcept>
#include <string>

namespace authgate::jose {

std::string_view to_string(VerifyErrc code) noexcept {
  switch (code) {
    case VerifyErrc::too_large:
      return "too_large";
    case VerifyErrc::malformed:
      return "malformed";
    case VerifyErrc::bad_header:
      return "bad_header";
    case VerifyErrc::alg_none:
      return "alg_none";
    case VerifyErrc::alg_unknown:
      return "alg_unknown";
    case VerifyErrc::alg_not_allowed:
      return "alg_not_allowed";
    case VerifyErrc::crit_unsupported:
      return "crit_unsupported";
    case VerifyErrc::bad_type:
      return "bad_type";
    case VerifyErrc::unknown_key:
      return "unknown_key";
    case VerifyErrc::bad_signature:
      return "bad_signature";
    case VerifyErrc::expired:
      return "expired";
    case VerifyErrc::not_yet_valid:
      return "not_yet_valid";
    case VerifyErrc::issued_in_future:
      return "issued_in_future";
    case VerifyErrc::bad_issuer:
      return "bad_issuer";
    case VerifyErrc::bad_audience:
      return "bad_audience";
    case VerifyErrc::missing_claim:
      return "missing_claim";
    case VerifyErrc::bad_claim:
      return "bad_claim";
    case VerifyErrc::no_subject:
      return "no_subject";
  }
  return "unknown";
}

std::string_view describe(VerifyErrc code) noexcept {
  // RFC 6750 §3: error_description is for developers; it names the failed check, never the value that
  // failed it (which might be someone else's token content) nor anything about our keys.
  switch (code) {
    case VerifyErrc::too_large:
      return "The token is too large";
    case VerifyErrc::malformed:
      return "The token is not a well-formed compact JWS";
    case VerifyErrc::bad_header:
      return "The token header is invalid";
    case VerifyErrc::alg_none:
      return "Unsigned tokens are not accepted";
    case VerifyErrc::alg_unknown:
      return "The token algorithm is not supported";
    case VerifyErrc::alg_not_allowed:
      return "The token algorithm is not accepted";
    case VerifyErrc::crit_unsupported:
      return "The token has unsupported critical header parameters";
    case VerifyErrc::bad_type:
      return "The token type is not accepted";
    case VerifyErrc::unknown_key:
      return "The token signing key is unknown";
    case VerifyErrc::bad_signature:
      return "The token signature is invalid";
    case VerifyErrc::expired:
      return "The token expired";
    case VerifyErrc::not_yet_valid:
      return "The token is not valid yet";
    case VerifyErrc::issued_in_future:
      return "The token was issued in the future";
    case VerifyErrc::bad_issuer:
      return "The token issuer is not accepted";
    case VerifyErrc::bad_audience:
      return "The token audience is not accepted";
    case VerifyErrc::missing_claim:
      return "The token lacks a required claim";
    case VerifyErrc::bad_claim:
      return "The token has a claim of the wrong type";
    case VerifyErrc::no_subject:
      return "The token has no subject";
  }
  return "The token is invalid";
}

Reason to_reason(VerifyErrc code) noexcept {
  switch (code) {
    case VerifyErrc::alg_none:
    case VerifyErrc::alg_unknown:
    case VerifyErrc::alg_not_allowed:
      return Reason::alg_not_allowed;
    case VerifyErrc::unknown_key:
      return Reason::unknown_key;
    case VerifyErrc::bad_signature:
      return Reason::bad_signature;
    case VerifyErrc::expired:
      return Reason::token_expired;
    case VerifyErrc::not_yet_valid:
    case VerifyErrc::issued_in_future:
      return Reason::token_not_yet_valid;
    case VerifyErrc::bad_issuer:
      return Reason::bad_issuer;
    case VerifyErrc::bad_audience:
      return Reason::bad_audience;
    case VerifyErrc::too_large:
    case VerifyErrc::malformed:
    case VerifyErrc::bad_header:
    case VerifyErrc::crit_unsupported:
    case VerifyErrc::bad_type:
    case VerifyErrc::missing_claim:
    case VerifyErrc::bad_claim:
    case VerifyErrc::no_subject:
      return Reason::invalid_token;
  }
  return Reason::invalid_token;
}

void throw_exception_from_error(VerifyErrc code, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error("token verification failed: " + std::string(to_string(code))),
                         loc);
}

}  // namespace authgate::jose
