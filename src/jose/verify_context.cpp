// OpenSSL verification contexts, built once and duplicated: EVP_DigestVerifyInit costs several
// microseconds of provider and digest lookups, EVP_MD_CTX_copy_ex a fraction of one.
#include "jose/verify_context.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

namespace authgate::jose::detail {
namespace {

bool is_pss(Alg alg) noexcept { return alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512; }

const char* digest_name(Alg alg) noexcept {
  switch (hash_length(alg)) {
    case 32:
      return "SHA2-256";
    case 48:
      return "SHA2-384";
    case 64:
      return "SHA2-512";
    default:
      return nullptr;
  }
}

}  // namespace

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
      return nullptr;
  }
}

MdCtxPtr make_verify_context(Alg alg, EVP_PKEY* pkey) noexcept {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  const EVP_MD* md = digest_for(alg);
  EVP_PKEY_CTX* pctx = nullptr;  // owned by ctx
  if (!ctx || (alg != Alg::eddsa && !md) || EVP_DigestVerifyInit(ctx.get(), &pctx, md, nullptr, pkey) != 1) {
    return nullptr;
  }
  if (is_pss(alg)) {
    // RFC 7518 §3.5: "The size of the salt value is the same size as the hash function output", and MGF1
    // uses the same hash. RSA_PSS_SALTLEN_DIGEST makes OpenSSL require exactly that salt length on verify.
    if (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
        EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1 ||
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1) {
      return nullptr;
    }
  }
  return ctx;
}

MacCtxPtr make_mac_context(Alg alg, std::span<const unsigned char> secret) noexcept {
  static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  const char* digest = digest_name(alg);
  if (!hmac || !digest) return nullptr;
  MacCtxPtr ctx(EVP_MAC_CTX_new(hmac));
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>(digest), 0),
      OSSL_PARAM_construct_end()};
  if (!ctx || EVP_MAC_init(ctx.get(), secret.data(), secret.size(), params) != 1) return nullptr;
  return ctx;
}

}  // namespace authgate::jose::detail
