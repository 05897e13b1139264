#pragma once
// A small JWS signer for tests (header-only, OpenSSL 3 EVP): test keys generated once per process,
// their public JWK/PEM forms, and compact tokens signed with any algorithm — or deliberately wrong.

#include <openssl/core_names.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "authgate/grammar/base64.hpp"
#include "authgate/jose/alg.hpp"
#include "authgate/jose/jwk.hpp"

namespace authgate::test {

using jose::Alg;
using jose::PkeyPtr;

inline PkeyPtr generate_key(const char* type, const char* param = nullptr, int bits = 0) {
  EVP_PKEY* pkey = nullptr;
  if (bits > 0) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, type, static_cast<size_t>(bits));
  } else if (param) {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, type, param);
  } else {
    pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, type);
  }
  if (!pkey) throw std::runtime_error("test key generation failed");
  return PkeyPtr(pkey);
}

/// Private keys shared by every test of the process (RSA generation is slow).
struct TestKeys {
  PkeyPtr rsa = generate_key("RSA", nullptr, 2048);
  PkeyPtr rsa_other = generate_key("RSA", nullptr, 2048);
  PkeyPtr p256 = generate_key("EC", "P-256");
  PkeyPtr p256_other = generate_key("EC", "P-256");
  PkeyPtr p384 = generate_key("EC", "P-384");
  PkeyPtr p521 = generate_key("EC", "P-521");
  PkeyPtr ed25519 = generate_key("ED25519");
  PkeyPtr ed448 = generate_key("ED448");
};

inline const TestKeys& test_keys() {
  static const TestKeys keys;
  return keys;
}

inline std::string b64(std::string_view bytes) { return grammar::encode_base64url(bytes); }

inline std::string bn_bytes(EVP_PKEY* pkey, const char* name, int width = 0) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, name, &bn) != 1) throw std::runtime_error("missing key parameter");
  const int length = width > 0 ? width : BN_num_bytes(bn);
  std::string out(static_cast<std::size_t>(length), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), length);
  BN_free(bn);
  return out;
}

inline int ec_width(EVP_PKEY* pkey) { return (EVP_PKEY_get_bits(pkey) + 7) / 8; }

inline std::string ec_crv(EVP_PKEY* pkey) {
  switch (EVP_PKEY_get_bits(pkey)) {
    case 256:
      return "P-256";
    case 384:
      return "P-384";
    default:
      return "P-521";
  }
}

/// The public JWK of `pkey`; `extra` is appended verbatim inside the object (e.g. ",\"use\":\"sig\"").
inline std::string public_jwk(EVP_PKEY* pkey, std::string_view kid = {}, std::string_view extra = {}) {
  std::string members;
  switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_RSA:
      members = "\"kty\":\"RSA\",\"n\":\"" + b64(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_N)) + "\",\"e\":\"" +
                b64(bn_bytes(pkey, OSSL_PKEY_PARAM_RSA_E)) + "\"";
      break;
    case EVP_PKEY_EC:
      members = "\"kty\":\"EC\",\"crv\":\"" + ec_crv(pkey) + "\",\"x\":\"" +
                b64(bn_bytes(pkey, OSSL_PKEY_PARAM_EC_PUB_X, ec_width(pkey))) + "\",\"y\":\"" +
                b64(bn_bytes(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, ec_width(pkey))) + "\"";
      break;
    default: {
      std::size_t length = 0;
      EVP_PKEY_get_raw_public_key(pkey, nullptr, &length);
      std::string raw(length, '\0');
      EVP_PKEY_get_raw_public_key(pkey, reinterpret_cast<unsigned char*>(raw.data()), &length);
      const bool ed25519 = EVP_PKEY_get_base_id(pkey) == EVP_PKEY_ED25519;
      members = std::string("\"kty\":\"OKP\",\"crv\":\"") + (ed25519 ? "Ed25519" : "Ed448") + "\",\"x\":\"" +
                b64(raw) + "\"";
    }
  }
  if (!kid.empty()) members += ",\"kid\":\"" + std::string(kid) + "\"";
  return "{" + members + std::string(extra) + "}";
}

inline std::string public_pem(EVP_PKEY* pkey) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PUBKEY(bio, pkey);
  char* data = nullptr;
  const long length = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(length));
  BIO_free(bio);
  return pem;
}

inline const EVP_MD* test_digest(Alg alg) {
  switch (jose::hash_length(alg)) {
    case 32:
      return EVP_sha256();
    case 48:
      return EVP_sha384();
    case 64:
      return EVP_sha512();
    default:
      return nullptr;
  }
}

/// DER ECDSA-Sig-Value → raw r‖s of `width` bytes each (RFC 7518 §3.4).
inline std::string der_to_raw(std::string_view der, int width) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  std::string raw(static_cast<std::size_t>(2 * width), '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, width);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + width, width);
  ECDSA_SIG_free(sig);
  return raw;
}

/// Raw signature bytes of `input` under `pkey` with `alg` (ECDSA as raw r‖s unless `der` is set).
inline std::string sign_bytes(EVP_PKEY* pkey, Alg alg, std::string_view input, bool der = false) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  EVP_DigestSignInit(ctx, &pctx, test_digest(alg), nullptr, pkey);
  if (alg == Alg::ps256 || alg == Alg::ps384 || alg == Alg::ps512) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  std::size_t length = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  EVP_DigestSign(ctx, nullptr, &length, data, input.size());
  std::string sig(length, '\0');
  if (EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &length, data, input.size()) != 1) {
    EVP_MD_CTX_free(ctx);
    throw std::runtime_error("test signing failed");
  }
  EVP_MD_CTX_free(ctx);
  sig.resize(length);
  const bool ecdsa = alg == Alg::es256 || alg == Alg::es384 || alg == Alg::es512;
  return ecdsa && !der ? der_to_raw(sig, ec_width(pkey)) : sig;
}

inline std::string hmac_bytes(std::string_view secret, Alg alg, std::string_view input) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(test_digest(alg), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(input.data()), input.size(), out, &length);
  return std::string(reinterpret_cast<const char*>(out), length);
}

/// BASE64URL(header) "." BASE64URL(payload).
inline std::string signing_input(std::string_view header_json, std::string_view payload_json) {
  return b64(header_json) + "." + b64(payload_json);
}

/// A compact JWS signed with a private key.
inline std::string sign_jws(EVP_PKEY* pkey, Alg alg, std::string_view header_json,
                            std::string_view payload_json) {
  const std::string input = signing_input(header_json, payload_json);
  return input + "." + b64(sign_bytes(pkey, alg, input));
}

/// A compact JWS MACed with an HMAC secret.
inline std::string hmac_jws(std::string_view secret, Alg alg, std::string_view header_json,
                            std::string_view payload_json) {
  const std::string input = signing_input(header_json, payload_json);
  return input + "." + b64(hmac_bytes(secret, alg, input));
}

/// {"alg":"<alg>"} plus optional members, e.g. header("RS256", ",\"kid\":\"k1\"").
inline std::string header(std::string_view alg, std::string_view extra = {}) {
  return "{\"alg\":\"" + std::string(alg) + "\"" + std::string(extra) + "}";
}

}  // namespace authgate::test
