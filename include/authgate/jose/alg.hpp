#pragma once
// JWS signature algorithms (RFC 7518 §3, RFC 8037 §3.1) and the key types that may carry them. The set
// is closed: "none" and every algorithm not listed here simply do not parse (RFC 8725 §3.1, §3.2).

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace authgate::jose {

/// A JWS "alg" value this library verifies.
enum class Alg : unsigned char {
  rs256,
  rs384,
  rs512,  // RSASSA-PKCS1-v1_5 (RFC 7518 §3.3)
  ps256,
  ps384,
  ps512,  // RSASSA-PSS, MGF1 with the same hash, salt length = hash length (§3.5)
  es256,
  es384,
  es512,  // ECDSA on P-256 / P-384 / P-521, raw r‖s signature (§3.4)
  eddsa,  // Ed25519 or Ed448, chosen by the key's curve (RFC 8037 §3.1)
  hs256,
  hs384,
  hs512,  // HMAC-SHA-2, full-length tags only (§3.2)
};

/// Key families; an algorithm verifies only with a key of its family (RFC 8725 §3.1: an RSA or EC
/// public key is never used as an HMAC secret).
enum class KeyType : unsigned char { rsa, ec_p256, ec_p384, ec_p521, ed25519, ed448, oct };

/// The exact, case-sensitive JOSE name (RFC 7515 §4.1.1: "alg" values are case-sensitive), or nullopt
/// for anything else, including "none", "None" and "NONE".
std::optional<Alg> parse_alg(std::string_view name) noexcept;

/// The JOSE name, e.g. "RS256".
std::string_view to_string(Alg alg) noexcept;

/// Every algorithm, in declaration order.
std::span<const Alg> all_algs() noexcept;

/// Whether `alg` can verify with a key of `type` (RS*/PS* ↔ rsa, ES256 ↔ P-256, …, EdDSA ↔ Ed25519/Ed448,
/// HS* ↔ oct).
bool alg_fits(Alg alg, KeyType type) noexcept;

/// Output length in bytes of the algorithm's hash (32, 48 or 64); 0 for EdDSA.
std::size_t hash_length(Alg alg) noexcept;

/// "RSA", "EC P-256", …, "oct": for messages.
std::string_view to_string(KeyType type) noexcept;

}  // namespace authgate::jose
