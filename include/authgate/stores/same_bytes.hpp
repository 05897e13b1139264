#pragma once
// The one constant-time equality of the project: password hashes, Digest's opaque, a connection's memo of
// its credentials. Written here, not OpenSSL's CRYPTO_memcmp: that goes byte by byte (≈ 7 instructions a
// byte), and the memo compares a whole token on every request (a 617-byte JWT: ≈ 4,300 instructions, as
// much as the hash the memo saves); sixteen bytes a step, it is ≈ 0.5 instruction a byte.

#include <string_view>

namespace authgate::stores {

/// Equal length and equal bytes, in time that depends on the lengths only: no early exit, every byte of
/// both is read whatever it holds. The lengths themselves are not hidden.
bool same_bytes(std::string_view a, std::string_view b) noexcept;

}  // namespace authgate::stores
