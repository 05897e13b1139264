#pragma once
// JWS Compact Serialization (RFC 7515 §7.1) only: BASE64URL(header) "." BASE64URL(payload) "."
// BASE64URL(signature), strictly. The JSON serializations, unencoded payloads (RFC 7797) and unsecured
// JWS (alg "none") are refused.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/jose/alg.hpp"
#include "authgate/jose/error.hpp"
#include "authgate/jose/jwks.hpp"

namespace authgate::jose {

/// Tokens longer than this are refused before any decoding (a JWT access token is rarely above 2 KiB).
inline constexpr std::size_t default_max_token_bytes = 16384;

/// The header members we act on. Everything else is ignored; in particular "jku", "x5u", "jwk" and
/// "x5c" are never used to find a key (RFC 8725 §3.10: they would let the token name its own key).
struct JoseHeader {
  Alg alg = Alg::rs256;
  std::optional<std::string> kid;  // only a lookup string: compared byte for byte with configured kids
  std::optional<std::string> typ;
};

/// A structurally valid compact JWS whose header passed the checks of parse_compact. The views point
/// into the token passed to parse_compact and live as long as it does.
struct CompactJws {
  JoseHeader header;
  std::string_view signing_input;  // ASCII(BASE64URL(header) "." BASE64URL(payload)), RFC 7515 §5.1 step 6
  std::string payload;             // decoded; NOT authenticated until the signature verified
  std::string signature;           // decoded
};

/// Which algorithms and how much work a verification may do.
struct JwsPolicy {
  std::vector<Alg> algorithms;     // accepted algorithms; must not be empty
  std::optional<std::string> typ;  // required "typ", e.g. "at+jwt" (RFC 9068 §4); nullopt = any
  std::size_t max_token_bytes = default_max_token_bytes;  // longer tokens are refused before any decoding
  std::size_t max_candidate_keys = 8;                     // keys tried for one token without a matching kid
};

/// Splits and decodes a compact JWS: exactly two dots, three strict base64url parts (no padding, no
/// whitespace, zero pad bits), a header that is a JSON object without duplicate members, with a string
/// "alg" naming an implemented algorithm ("none" in any case → alg_none), no "crit" (we implement no
/// extension, RFC 7515 §4.1.11), and "kid"/"typ" strings when present. All three parts are decoded
/// before any cryptography runs, so malformed input never costs a signature check.
VerifyResult<CompactJws> parse_compact(std::string_view token,
                                       std::size_t max_token_bytes = default_max_token_bytes);

/// A JWS whose signature verified.
struct VerifiedJws {
  JoseHeader header;
  std::string payload;  // decoded payload bytes
  std::string key_id;   // kid of the key that verified, or its thumbprint when it has none
};

/// RFC 7515 §5.2 for a compact JWS: parse_compact, then alg ∈ policy.algorithms (alg_not_allowed), typ,
/// key choice (a kid selects the key with that kid plus keys without a kid; no kid → every key; only
/// keys usable for alg; at most policy.max_candidate_keys tried; none → unknown_key), signature
/// (bad_signature). Pure; thread-safe.
VerifyResult<VerifiedJws> verify_jws(std::string_view token, const KeySet& keys, const JwsPolicy& policy);

/// Header and payload JSON texts of a compact JWS, decoded but NOT verified (for `authgate jwt decode`).
struct DecodedJws {
  std::string header;
  std::string payload;
};
VerifyResult<DecodedJws> decode_unverified(std::string_view token,
                                           std::size_t max_token_bytes = default_max_token_bytes);

/// RFC 7515 §4.1.9 media-type comparison: case-insensitive, "application/" implied when there is no '/'.
bool typ_matches(std::string_view actual, std::string_view expected) noexcept;

}  // namespace authgate::jose
