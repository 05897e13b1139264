#pragma once
// Building the OpenSSL contexts a verification runs in: once per key and algorithm at load (the
// templates a Key keeps), or per call when no template exists.

#include <span>

#include "authgate/jose/alg.hpp"
#include "authgate/jose/jwk.hpp"

namespace authgate::jose::detail {

/// The digest of an algorithm, fetched once per process (nullptr for EdDSA, which hashes internally).
const EVP_MD* digest_for(Alg alg) noexcept;

/// EVP_DigestVerifyInit for `alg` with `pkey`, PSS parameters set for PS* (RFC 7518 §3.5: MGF1 with the
/// same hash, salt length = hash length). nullptr on failure.
MdCtxPtr make_verify_context(Alg alg, EVP_PKEY* pkey) noexcept;

/// An HMAC context for `alg` keyed with `secret`. nullptr on failure.
MacCtxPtr make_mac_context(Alg alg, std::span<const unsigned char> secret) noexcept;

}  // namespace authgate::jose::detail
