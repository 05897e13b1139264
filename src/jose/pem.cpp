// PEM SubjectPublicKeyInfo → Key, with the same checks as a JWK.
#include <openssl/pem.h>

#include <string>

#include "authgate/jose/jwk.hpp"
#include "jose/key_checks.hpp"
#include "jose/ossl.hpp"

namespace authgate::jose {

KeyResult key_from_pem(std::string_view pem, std::string kid, std::optional<Alg> alg) {
  if (pem.size() > std::size_t{64} * 1024)
    return KeyError{KeyErrc::bad_member, "PEM text larger than 64 KiB"};
  const detail::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return KeyError{KeyErrc::invalid_key, "out of memory"};
  // Only "BEGIN PUBLIC KEY": a private key or a certificate here is a configuration mistake we refuse
  // rather than guess about.
  PkeyPtr pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  if (!pkey) return KeyError{KeyErrc::unparseable, "no PEM PUBLIC KEY block"};
  const std::optional<KeyType> type = detail::key_type_of(pkey.get());
  if (!type)
    return KeyError{KeyErrc::unsupported_kty, "PEM key is not RSA, EC P-256/384/521, Ed25519 or Ed448"};
  if (auto problem = detail::check_public_key(pkey.get(), *type)) return *problem;
  if (alg && !alg_fits(*alg, *type)) {
    return KeyError{KeyErrc::unsupported_alg, std::string(to_string(*alg)) + " does not fit a " +
                                                  std::string(to_string(*type)) + " key"};
  }
  std::string thumbprint = detail::thumbprint_of(pkey.get(), *type);
  return std::make_shared<const Key>(*type, std::move(pkey), std::move(kid), alg, std::move(thumbprint));
}

}  // namespace authgate::jose
