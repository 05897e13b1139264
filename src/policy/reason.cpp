#include "authgate/reason.hpp"

namespace authgate {

std::string_view to_string(Reason reason) noexcept {
  switch (reason) {
    case Reason::ok:
      return "ok";
    case Reason::anonymous:
      return "anonymous";
    case Reason::no_credentials:
      return "no_credentials";
    case Reason::scheme_not_accepted:
      return "scheme_not_accepted";
    case Reason::malformed_header:
      return "malformed_header";
    case Reason::duplicate_credentials:
      return "duplicate_credentials";
    case Reason::bad_base64:
      return "bad_base64";
    case Reason::missing_colon:
      return "missing_colon";
    case Reason::bad_user_id:
      return "bad_user_id";
    case Reason::unknown_user:
      return "unknown_user";
    case Reason::wrong_password:
      return "wrong_password";
    case Reason::unsupported_hash:
      return "unsupported_hash";
    case Reason::user_not_allowed:
      return "user_not_allowed";
    case Reason::insufficient_scope:
      return "insufficient_scope";
    case Reason::claim_mismatch:
      return "claim_mismatch";
    case Reason::invalid_token:
      return "invalid_token";
    case Reason::token_expired:
      return "token_expired";
    case Reason::token_not_yet_valid:
      return "token_not_yet_valid";
    case Reason::bad_signature:
      return "bad_signature";
    case Reason::unknown_key:
      return "unknown_key";
    case Reason::bad_issuer:
      return "bad_issuer";
    case Reason::bad_audience:
      return "bad_audience";
    case Reason::alg_not_allowed:
      return "alg_not_allowed";
    case Reason::token_inactive:
      return "token_inactive";
    case Reason::stale_nonce:
      return "stale_nonce";
    case Reason::rate_limited:
      return "rate_limited";
    case Reason::store_unavailable:
      return "store_unavailable";
    case Reason::keys_unavailable:
      return "keys_unavailable";
    case Reason::introspection_unavailable:
      return "introspection_unavailable";
    case Reason::route_not_found:
      return "route_not_found";
    case Reason::method_not_allowed:
      return "method_not_allowed";
    case Reason::bad_request:
      return "bad_request";
    case Reason::request_too_large:
      return "request_too_large";
    case Reason::header_too_large:
      return "header_too_large";
    case Reason::uri_too_long:
      return "uri_too_long";
    case Reason::request_timeout:
      return "request_timeout";
    case Reason::upstream_unreachable:
      return "upstream_unreachable";
    case Reason::upstream_timeout:
      return "upstream_timeout";
    case Reason::upstream_error:
      return "upstream_error";
    case Reason::internal_error:
      return "internal_error";
    case Reason::overloaded:
      return "overloaded";
    case Reason::unsafe_identity:
      return "unsafe_identity";
  }
  return "unknown";
}

}  // namespace authgate
