// JWK members → OpenSSL 3 EVP_PKEY through OSSL_PARAM_BLD / EVP_PKEY_fromdata.
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include <string>

#include "authgate/grammar/base64.hpp"
#include "jose/jwk_members.hpp"
#include "jose/key_checks.hpp"
#include "jose/ossl.hpp"

namespace authgate::jose::detail {
namespace {

namespace json = boost::json;

const unsigned char* bytes(const std::string& s) { return reinterpret_cast<const unsigned char*>(s.data()); }

KeyErrorOr<PkeyPtr> from_params(const char* type, OSSL_PARAM_BLD* builder) {
  const ParamsPtr params(OSSL_PARAM_BLD_to_param(builder));
  const PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr));
  EVP_PKEY* pkey = nullptr;
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1 ||
      EVP_PKEY_fromdata(ctx.get(), &pkey, EVP_PKEY_PUBLIC_KEY, params.get()) != 1) {
    return KeyError{KeyErrc::invalid_key, std::string("OpenSSL rejected the ") + type + " key"};
  }
  return PkeyPtr(pkey);
}

KeyErrorOr<PublicKey> rsa_from_jwk(const json::object& jwk) {
  auto n = b64url_member(jwk, "n");
  if (!n) return n.error();
  auto e = b64url_member(jwk, "e");
  if (!e) return e.error();
  if (n->empty() || e->empty()) return KeyError{KeyErrc::bad_member, "empty 'n' or 'e'"};
  const BnPtr modulus(BN_bin2bn(bytes(*n), static_cast<int>(n->size()), nullptr));
  const BnPtr exponent(BN_bin2bn(bytes(*e), static_cast<int>(e->size()), nullptr));
  const ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!modulus || !exponent || !builder ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_N, modulus.get()) != 1 ||
      OSSL_PARAM_BLD_push_BN(builder.get(), OSSL_PKEY_PARAM_RSA_E, exponent.get()) != 1) {
    return KeyError{KeyErrc::invalid_key, "RSA parameters"};
  }
  auto pkey = from_params("RSA", builder.get());
  if (!pkey) return pkey.error();
  return PublicKey{KeyType::rsa, std::move(*pkey)};
}

struct Curve {
  std::string_view crv;
  const char* group;
  std::size_t coordinate_bytes;
  KeyType type;
};

constexpr Curve curves[] = {
    {"P-256", "prime256v1", 32, KeyType::ec_p256},
    {"P-384", "secp384r1", 48, KeyType::ec_p384},
    {"P-521", "secp521r1", 66, KeyType::ec_p521},
};

KeyErrorOr<PublicKey> ec_from_jwk(const json::object& jwk) {
  auto crv = string_member(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv) return KeyError{KeyErrc::missing_member, "member 'crv'"};
  const Curve* curve = nullptr;
  for (const Curve& c : curves) {
    if (c.crv == **crv) curve = &c;
  }
  if (!curve) return KeyError{KeyErrc::unsupported_curve, "EC curve is not P-256, P-384 or P-521"};
  auto x = b64url_member(jwk, "x");
  if (!x) return x.error();
  auto y = b64url_member(jwk, "y");
  if (!y) return y.error();
  // RFC 7518 §6.2.1.2/§6.2.1.3: each coordinate is exactly the field size, leading zeros included.
  if (x->size() != curve->coordinate_bytes || y->size() != curve->coordinate_bytes) {
    return KeyError{KeyErrc::bad_member, "EC coordinate length does not match " + std::string(curve->crv)};
  }
  const std::string point = '\x04' + *x + *y;  // SEC 1 §2.3.3 uncompressed point
  const ParamBldPtr builder(OSSL_PARAM_BLD_new());
  if (!builder ||
      OSSL_PARAM_BLD_push_utf8_string(builder.get(), OSSL_PKEY_PARAM_GROUP_NAME, curve->group, 0) != 1 ||
      OSSL_PARAM_BLD_push_octet_string(builder.get(), OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) !=
          1) {
    return KeyError{KeyErrc::invalid_key, "EC parameters"};
  }
  auto pkey = from_params("EC", builder.get());
  if (!pkey) return KeyError{KeyErrc::invalid_key, "EC point is not on " + std::string(curve->crv)};
  return PublicKey{curve->type, std::move(*pkey)};
}

KeyErrorOr<PublicKey> okp_from_jwk(const json::object& jwk) {
  auto crv = string_member(jwk, "crv");
  if (!crv) return crv.error();
  if (!*crv) return KeyError{KeyErrc::missing_member, "member 'crv'"};
  // RFC 8037 §2: Ed25519 / Ed448 sign; X25519 / X448 are key agreement keys and never verify a JWS.
  const bool ed25519 = **crv == "Ed25519";
  if (!ed25519 && **crv != "Ed448")
    return KeyError{KeyErrc::unsupported_curve, "OKP curve is not Ed25519 or Ed448"};
  auto x = b64url_member(jwk, "x");
  if (!x) return x.error();
  const std::size_t expected = ed25519 ? 32 : 57;
  if (x->size() != expected) return KeyError{KeyErrc::bad_member, "OKP 'x' has the wrong length"};
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_public_key(ed25519 ? EVP_PKEY_ED25519 : EVP_PKEY_ED448, nullptr, bytes(*x), x->size());
  if (!pkey) return KeyError{KeyErrc::invalid_key, "OpenSSL rejected the OKP key"};
  return PublicKey{ed25519 ? KeyType::ed25519 : KeyType::ed448, PkeyPtr(pkey)};
}

}  // namespace

KeyErrorOr<std::string> b64url_member(const json::object& jwk, std::string_view name) {
  const json::value* value = jwk.if_contains(name);
  if (!value) return KeyError{KeyErrc::missing_member, "member '" + std::string(name) + "'"};
  if (!value->is_string())
    return KeyError{KeyErrc::bad_member, "member '" + std::string(name) + "' is not a string"};
  const json::string& text = value->get_string();
  auto decoded = grammar::decode_base64url(std::string_view(text.data(), text.size()));
  if (!decoded) return KeyError{KeyErrc::bad_member, "member '" + std::string(name) + "' is not base64url"};
  return std::move(*decoded);
}

KeyErrorOr<std::optional<std::string_view>> string_member(const json::object& jwk, std::string_view name) {
  const json::value* value = jwk.if_contains(name);
  if (!value) return std::optional<std::string_view>{};
  if (!value->is_string())
    return KeyError{KeyErrc::bad_member, "member '" + std::string(name) + "' is not a string"};
  const json::string& text = value->get_string();
  return std::optional<std::string_view>(std::string_view(text.data(), text.size()));
}

KeyErrorOr<PublicKey> public_key_from_jwk(const json::object& jwk, std::string_view kty) {
  KeyErrorOr<PublicKey> key = KeyError{KeyErrc::unsupported_kty, "kty is not RSA, EC, OKP or oct"};
  if (kty == "RSA") key = rsa_from_jwk(jwk);
  if (kty == "EC") key = ec_from_jwk(jwk);
  if (kty == "OKP") key = okp_from_jwk(jwk);
  if (!key) return key;
  if (auto problem = check_public_key(key->pkey.get(), key->type)) return *problem;
  return key;
}

}  // namespace authgate::jose::detail
