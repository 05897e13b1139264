// RFC 7638 JWK thumbprints, computed from the parsed key so JWK and PEM keys get the same value.
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "authgate/grammar/base64.hpp"
#include "jose/key_checks.hpp"
#include "jose/ossl.hpp"

namespace authgate::jose::detail {
namespace {

// Big-endian bytes of a BIGNUM parameter: minimal length (RFC 7518 §6.3.1.1 for n and e), or left-padded
// to `width` (RFC 7518 §6.2.1.2: EC coordinates are always the full field size).
std::string bn_param(EVP_PKEY* pkey, const char* name, int width = 0) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &raw) != 1) return {};
  const BnPtr bn(raw);
  const int length = width > 0 ? width : BN_num_bytes(bn.get());
  std::string out(static_cast<std::size_t>(length), '\0');
  if (BN_bn2binpad(bn.get(), reinterpret_cast<unsigned char*>(out.data()), length) != length) return {};
  return out;
}

std::string raw_public(EVP_PKEY* pkey) {
  std::size_t length = 0;
  if (EVP_PKEY_get_raw_public_key(pkey, nullptr, &length) != 1) return {};
  std::string out(length, '\0');
  if (EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(out.data()), &length) != 1)
    return {};
  return out;
}

// RFC 7638 §3.2: the required members only, sorted by name, no whitespace. Every value here is
// base64url or a fixed curve name, so no JSON escaping is ever needed.
std::string canonical_members(EVP_PKEY* pkey, KeyType type) {
  using grammar::encode_base64url;
  const auto ec = [&](const char* crv, int width) {
    return std::string("{\"crv\":\"") + crv + "\",\"kty\":\"EC\",\"x\":\"" +
           encode_base64url(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, width)) + "\",\"y\":\"" +
           encode_base64url(bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, width)) + "\"}";
  };
  switch (type) {
    case KeyType::rsa:
      return "{\"e\":\"" + encode_base64url(bn_param(pkey, OSSL_PKEY_PARAM_RSA_E)) +
             "\",\"kty\":\"RSA\",\"n\":\"" + encode_base64url(bn_param(pkey, OSSL_PKEY_PARAM_RSA_N)) + "\"}";
    case KeyType::ec_p256:
      return ec("P-256", 32);
    case KeyType::ec_p384:
      return ec("P-384", 48);
    case KeyType::ec_p521:
      return ec("P-521", 66);
    case KeyType::ed25519:
      return "{\"crv\":\"Ed25519\",\"kty\":\"OKP\",\"x\":\"" + encode_base64url(raw_public(pkey)) + "\"}";
    case KeyType::ed448:
      return "{\"crv\":\"Ed448\",\"kty\":\"OKP\",\"x\":\"" + encode_base64url(raw_public(pkey)) + "\"}";
    case KeyType::oct:
      return {};
  }
  return {};
}

}  // namespace

std::string thumbprint_of(EVP_PKEY* pkey, KeyType type) {
  const std::string members = canonical_members(pkey, type);
  if (members.empty()) return {};
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(members.data(), members.size(), digest, &length, EVP_sha256(), nullptr) != 1) return {};
  return grammar::encode_base64url(std::string_view(reinterpret_cast<const char*>(digest), length));
}

}  // namespace authgate::jose::detail
