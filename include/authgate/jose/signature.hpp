#pragma once
// The cryptographic core: one JWS signature checked with one already-chosen key (RFC 7515 §5.2 step 8,
// RFC 7518 §3, RFC 8037 §3.1). No parsing, no allocation beyond OpenSSL's own context.

#include <string_view>

#include "authgate/jose/alg.hpp"
#include "authgate/jose/jwk.hpp"

namespace authgate::jose {

/// True when `signature` (decoded bytes) is a valid `alg` signature of `signing_input` under `key`.
/// False when the key is not usable for `alg` (Key::usable_for), when the signature has the wrong
/// length (RSA: modulus length; ECDSA: exactly 2 × coordinate size, raw r‖s — DER is refused; EdDSA:
/// 64 or 114; HMAC: the full hash length, truncated tags are refused), or when it does not verify.
/// HMAC tags are compared in constant time (CRYPTO_memcmp). Thread-safe; never throws.
bool verify_signature(Alg alg, const Key& key, std::string_view signing_input,
                      std::string_view signature) noexcept;

}  // namespace authgate::jose
