// JWK → Key: the members every key type shares (kty, use, key_ops, alg, kid) and the refusals that keep
// a key set honest (private material, encryption keys, algorithms that do not fit the key).
#include <openssl/crypto.h>

#include <array>
#include <string>

#include "authgate/grammar/base64.hpp"
#include "jose/json_strict.hpp"
#include "jose/jwk_members.hpp"
#include "jose/key_checks.hpp"

namespace authgate::jose {
namespace detail {
namespace {

namespace json = boost::json;

// RFC 7518 §6.2.2, §6.3.2; RFC 8037 §2: the members that carry private key material.
constexpr std::array<std::string_view, 7> private_members{"d", "p", "q", "dp", "dq", "qi", "oth"};

KeyErrorOr<bool> check_purpose(const json::object& jwk) {
  auto use = string_member(jwk, "use");
  if (!use) return use.error();
  // RFC 7517 §4.2: "sig" or "enc"; a key published for encryption is not a signature key.
  if (*use && **use != "sig") return KeyError{KeyErrc::not_for_signing, "use is not \"sig\""};
  const json::value* ops = jwk.if_contains("key_ops");
  if (!ops) return true;
  if (!ops->is_array()) return KeyError{KeyErrc::bad_member, "member 'key_ops' is not an array"};
  // RFC 7517 §4.3: the operations the key is intended for; verifying a JWS is "verify".
  for (const json::value& op : ops->get_array()) {
    if (!op.is_string()) return KeyError{KeyErrc::bad_member, "member 'key_ops' holds a non-string"};
    if (op.get_string() == "verify") return true;
  }
  return KeyError{KeyErrc::not_for_signing, "key_ops lacks \"verify\""};
}

KeyErrorOr<std::optional<Alg>> key_alg(const json::object& jwk) {
  auto name = string_member(jwk, "alg");
  if (!name) return name.error();
  if (!*name) return std::optional<Alg>{};
  const std::optional<Alg> alg = parse_alg(**name);
  if (!alg) return KeyError{KeyErrc::unsupported_alg, "key alg is not a supported JWS algorithm"};
  return alg;
}

KeyResult secret_from_jwk(const json::object& jwk, std::string kid, std::optional<Alg> alg) {
  auto k = b64url_member(jwk, "k");
  if (!k) return k.error();
  KeyResult key = key_from_secret(*k, std::move(kid), alg);
  OPENSSL_cleanse(k->data(), k->size());
  return key;
}

}  // namespace

KeyResult key_from_jwk_object(const json::object& jwk) {
  auto kty = string_member(jwk, "kty");
  if (!kty) return kty.error();
  if (!*kty) return KeyError{KeyErrc::missing_member, "member 'kty'"};
  auto purpose = check_purpose(jwk);
  if (!purpose) return purpose.error();
  auto alg = key_alg(jwk);
  if (!alg) return alg.error();
  auto kid = string_member(jwk, "kid");
  if (!kid) return kid.error();
  std::string kid_text(kid->value_or(std::string_view{}));
  if (**kty == "oct") return secret_from_jwk(jwk, std::move(kid_text), *alg);
  for (std::string_view name : private_members) {
    // A verifier needs only the public half; a set that publishes private members has leaked its
    // signing key, and anyone could mint tokens with it.
    if (jwk.contains(name))
      return KeyError{KeyErrc::private_key, "member '" + std::string(name) + "' present"};
  }
  auto key = public_key_from_jwk(jwk, **kty);
  if (!key) return key.error();
  if (*alg && !alg_fits(**alg, key->type)) {
    return KeyError{KeyErrc::unsupported_alg, std::string(to_string(**alg)) + " does not fit a " +
                                                  std::string(to_string(key->type)) + " key"};
  }
  std::string thumbprint = thumbprint_of(key->pkey.get(), key->type);
  return std::make_shared<const Key>(key->type, std::move(key->pkey), std::move(kid_text), *alg,
                                     std::move(thumbprint));
}

}  // namespace detail

KeyResult key_from_jwk(std::string_view json) {
  const auto object = detail::parse_json_object(json);
  if (!object) return KeyError{KeyErrc::unparseable, "a JWK must be one JSON object"};
  return detail::key_from_jwk_object(*object);
}

}  // namespace authgate::jose
