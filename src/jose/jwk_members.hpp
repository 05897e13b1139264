#pragma once
// Reading JWK members (RFC 7517 §4) and turning RSA / EC / OKP members into an EVP_PKEY (RFC 7518 §6,
// RFC 8037 §2). Internal to the jose layer.

#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "authgate/jose/jwk.hpp"

namespace authgate::jose::detail {

template <class T>
using KeyErrorOr = boost::system::result<T, KeyError>;

/// A required member holding strict base64url (RFC 7515 §2: no padding), decoded.
KeyErrorOr<std::string> b64url_member(const boost::json::object& jwk, std::string_view name);

/// An optional string member: nullopt when absent, an error when present with another JSON type.
KeyErrorOr<std::optional<std::string_view>> string_member(const boost::json::object& jwk,
                                                          std::string_view name);

struct PublicKey {
  KeyType type;
  PkeyPtr pkey;
};

/// The public key of an RSA, EC or OKP JWK, checked (size, exponent, point on curve, ROCA).
KeyErrorOr<PublicKey> public_key_from_jwk(const boost::json::object& jwk, std::string_view kty);

/// A whole JWK object: kty, use, key_ops, alg, kid and the key members (used by key_from_jwk and the
/// JWKS parser).
KeyResult key_from_jwk_object(const boost::json::object& jwk);

}  // namespace authgate::jose::detail
