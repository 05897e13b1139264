// Signature verification over OpenSSL 3 EVP: each call duplicates the context its key prepared at load.
#include "authgate/jose/signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "jose/ecdsa_der.hpp"
#include "jose/verify_context.hpp"

namespace authgate::jose {
namespace {

const unsigned char* bytes(std::string_view s) noexcept {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// The key's template duplicated (see Key::verify_template), or a fresh context when there is none.
MdCtxPtr verify_context(Alg alg, const Key& key) {
  if (const EVP_MD_CTX* tmpl = key.verify_template(alg)) {
    MdCtxPtr ctx(EVP_MD_CTX_new());
    if (ctx && EVP_MD_CTX_copy_ex(ctx.get(), tmpl) == 1) return ctx;
  }
  return detail::make_verify_context(alg, key.pkey());
}

bool evp_verify(Alg alg, const Key& key, std::string_view input, const unsigned char* sig,
                std::size_t sig_length) {
  const MdCtxPtr ctx = verify_context(alg, key);
  return ctx && EVP_DigestVerify(ctx.get(), sig, sig_length, bytes(input), input.size()) == 1;
}

bool verify_rsa(Alg alg, const Key& key, std::string_view input, std::string_view sig) {
  // RFC 8017 §8.2.2 step 1 / §8.1.2 step 1: the signature is exactly k octets long.
  if (sig.size() != static_cast<std::size_t>(EVP_PKEY_get_size(key.pkey()))) return false;
  return evp_verify(alg, key, input, bytes(sig), sig.size());
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
  return evp_verify(alg, key, input, der, der_length);
}

bool verify_eddsa(const Key& key, std::string_view input, std::string_view sig) {
  const std::size_t expected = key.type() == KeyType::ed25519 ? 64 : 114;  // RFC 8032 §5.1.6, §5.2.6
  if (sig.size() != expected) return false;
  return evp_verify(Alg::eddsa, key, input, bytes(sig), sig.size());
}

bool verify_hmac(Alg alg, const Key& key, std::string_view input, std::string_view tag) {
  const std::size_t length = hash_length(alg);
  // RFC 7518 §3.2: the whole HMAC output is the signature; a truncated tag would make forgery cheaper.
  if (tag.size() != length) return false;
  const EVP_MAC_CTX* tmpl = key.mac_template(alg);
  const MacCtxPtr ctx(tmpl ? EVP_MAC_CTX_dup(tmpl) : detail::make_mac_context(alg, key.secret()).release());
  unsigned char expected[EVP_MAX_MD_SIZE];
  std::size_t expected_length = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), bytes(input), input.size()) != 1 ||
      EVP_MAC_final(ctx.get(), expected, &expected_length, sizeof expected) != 1 ||
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
