// Signature verification over OpenSSL 3 EVP with pre-fetched digests and pre-parsed keys.
#include "authgate/jose/signature.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rsa.h>

#include "jose/ecdsa_der.hpp"
#include "jose/ossl.hpp"

namespace authgate::jose {
namespace {

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Fetched once per process: an implicit fetch on every EVP_DigestVerifyInit costs a provider lookup.
const EVP_MD* digest_for(Alg alg) noexcept {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA2-384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA2-512", nullptr);
  switch (hash_length(alg)) {
    case 32:
      return sha256;
    case 48:
      return sha384;
    case 64:
      return sha512;
    default:
      return nullptr;  // EdDSA hashes internally
  }
}

bool is_pss(Alg alg) noexcept { return alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512; }

bool evp_verify(Alg alg, EVP_PKEY* pkey, std::string_view input, const unsigned char* sig,
                std::size_t sig_length) {
  const detail::MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) return false;
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  const EVP_MD* md = digest_for(alg);
  if (alg != Alg::eddsa && !md) return false;
  if (EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) return false;
  if (is_pss(alg)) {
    // RFC 7518 §3.5: MGF1 with the same hash, and "the size of the salt value is the same size as the hash
    // function output". RSA_PSS_SALTLEN_DIGEST makes OpenSSL require exactly that length on verify.
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      return false;
    }
  }
  return EVP_DigestVerify(ctx.get(), sig, sig_length, bytes(input), input.size()) == 1;
}

bool verify_rsa(Alg alg, const Key& key, std::string_view input, std::string_view sig) {
  // RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets long.
  if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) return false;
  return evp_verify(alg, key.pkey(), input, bytes(sig), sig.size());
}

std::size_t coordinate_bytes(KeyType type) noexcept {
  switch (type) {
    case KeyType::ec_p256:
      return 32;
    case KeyType::ec_p384:
      return 48;
    case KeyType::ec_p521:
      return 66;
    default:
      return 0;
  }
}

bool verify_ecdsa(Alg alg, const Key& key, std::string_view input, std::string_view sig) {
  // RFC 7518 §3.4: the JWS signature is R ‖ S, each exactly the coordinate size; a DER signature, or one
  // with a byte added or dropped, has another length and is refused before any arithmetic.
  if (sig.size() != 2 * coordinate_bytes(key.type())) return false;
  unsigned char der[detail::max_der_signature];
  const std::size_t der_length = detail::p1363_to_der({bytes(sig), sig.size()}, der);
  if (der_length == 0) return false;
  return evp_verify(alg, key.pkey(), input, der, der_length);
}

bool verify_eddsa(const Key& key, std::string_view input, std::string_view sig) {
  const std::size_t expected = key.type() == KeyType::ed25519 ? 64 : 114;  // RFC 8032 §5.1.6, §5.2.6
  if (sig.size() != expected) return false;
  return evp_verify(Alg::eddsa, key.pkey(), input, bytes(sig), sig.size());
}

bool verify_hmac(Alg alg, const Key& key, std::string_view input, std::string_view tag) {
  const std::size_t length = hash_length(alg);
  // RFC 7518 §3.2: the whole HMAC output is the signature; a truncated tag would make forgery cheaper.
  if (tag.size() != length) return false;
  unsigned char expected[EVP_MAX_MD_SIZE];
  unsigned int expected_length = 0;
  const auto secret = key.secret();
  if (!HMAC(digest_for(alg), secret.data(), static_cast<int>(secret.size()), bytes(input), input.size(),
            expected, &expected_length) ||
      expected_length != length) {
    return false;
  }
  // Constant-time comparison: a byte-by-byte early exit would let an attacker learn the tag.
  const bool equal = CRYPTO_memcmp(expected, tag.data(), length) == 0;
  OPENSSL_cleanse(expected, sizeof expected);
  return equal;
}

}  // namespace

bool verify_signature(Alg alg, const Key& key, std::string_view signing_input,
                      std::string_view signature) noexcept {
  if (!key.usable_for(alg)) return false;
  switch (key.type()) {
    case KeyType::rsa:
      return verify_rsa(alg, key, signing_input, signature);
    case KeyType::ec_p256:
    case KeyType::ec_p384:
    case KeyType::ec_p521:
      return verify_ecdsa(alg, key, signing_input, signature);
    case KeyType::ed25519:
    case KeyType::ed448:
      return verify_eddsa(key, signing_input, signature);
    case KeyType::oct:
      return verify_hmac(alg, key, signing_input, signature);
  }
  return false;
}

}  // namespace authgate::jose
