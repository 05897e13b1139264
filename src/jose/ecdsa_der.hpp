#pragma once
// JWS carries ECDSA signatures as raw r‖s (RFC 7518 §3.4); OpenSSL verifies DER ECDSA-Sig-Value
// (RFC 3279 §2.2.3). This converts one to the other with no allocation and no BIGNUM.

#include <cstddef>
#include <span>

namespace authgate::jose::detail {

/// Room for the largest DER signature we produce (P-521: two 67-byte INTEGERs plus headers).
inline constexpr std::size_t max_der_signature = 144;

/// Encodes raw r‖s (each `raw.size() / 2` bytes) as DER into `out`. Returns the DER length, or 0 when
/// `raw` has an odd length, is too long, or r or s is zero (never a valid signature, RFC 7518 §3.4 /
/// SEC 1 §4.1.4 step 1: r, s ∈ [1, n-1]; the upper bound is OpenSSL's to check).
std::size_t p1363_to_der(std::span<const unsigned char> raw,
                         std::span<unsigned char, max_der_signature> out) noexcept;

}  // namespace authgate::jose::detail
