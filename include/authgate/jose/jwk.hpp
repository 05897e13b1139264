#pragma once
// One verification key: a JWK (RFC 7517) turned into an OpenSSL EVP_PKEY or an HMAC secret, checked once
// at load time so verification never re-parses or re-validates it.

#include <openssl/types.h>

#include <boost/system/result.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/jose/alg.hpp"

namespace authgate::jose {

/// Why a key (or a key file) cannot be used. Closed set; `KeyError::detail` says which member or check.
enum class KeyErrc : std::uint8_t {
  unparseable,        // not a JSON object (JWK, JWKS) or no PEM PUBLIC KEY block
  missing_member,     // kty, n, e, crv, x, y or k absent
  bad_member,         // a member of the wrong type or not strict base64url
  unsupported_kty,    // kty other than RSA, EC, OKP, oct
  unsupported_curve,  // crv other than P-256/P-384/P-521/Ed25519/Ed448 (X25519 is not for signatures)
  not_for_signing,    // "use" other than "sig", or "key_ops" without "verify" (RFC 7517 §4.2, §4.3)
  unsupported_alg,    // the key's "alg" is not a JWS algorithm we implement, or does not fit the key
  weak_key,           // RSA < 2048 bits or > 8192, bad exponent, ROCA modulus, empty HMAC secret
  invalid_key,        // EC point not on the curve, or OpenSSL's public-key check failed
  private_key,        // private members (d, p, q, …) present: publish only public keys
  duplicate_kid,      // two keys of one set share a kid (ambiguous; both are dropped)
  mixed_key_set,      // a set mixes HMAC secrets with public keys (RFC 8725 §3.1 alg confusion)
  too_large,          // more keys or bytes than the limit
  io,                 // the file could not be read
};

/// snake_case name of a key error code.
std::string_view to_string(KeyErrc code) noexcept;

struct KeyError {
  KeyErrc code;
  std::string detail;  // e.g. "member 'n'", "RSA modulus has 1024 bits"; never secret material
  /// "weak_key: RSA modulus has 1024 bits".
  std::string message() const;
};

[[noreturn]] void throw_exception_from_error(const KeyError& e, const boost::source_location& loc);

class Key;
using KeyResult = boost::system::result<std::shared_ptr<const Key>, KeyError>;

/// Frees OpenSSL objects (defined out of line so this header stays free of <openssl/evp.h>).
struct PkeyFree {
  void operator()(EVP_PKEY* pkey) const noexcept;
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept;
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept;
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

/// An immutable, validated verification key. Thread-safe to share: verification only reads it.
class Key {
 public:
  /// An asymmetric public key already validated by the loader (use the key_from_* functions).
  Key(KeyType type, PkeyPtr pkey, std::string kid, std::optional<Alg> alg, std::string thumbprint);
  /// An HMAC secret; the bytes are wiped with OPENSSL_cleanse when the key is destroyed.
  Key(std::vector<unsigned char> secret, std::string kid, std::optional<Alg> alg);
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;

  KeyType type() const noexcept { return type_; }
  /// The JWK "kid"; empty when the key has none (such a key is a candidate for any kid).
  const std::string& kid() const noexcept { return kid_; }
  /// The JWK "alg": when set, the key verifies only that algorithm (RFC 7517 §4.4).
  std::optional<Alg> alg() const noexcept { return alg_; }
  /// True when `alg` fits the key family, matches the key's own "alg" if any, and, for HMAC, the
  /// secret is at least as long as the hash output (RFC 7518 §3.2 MUST).
  bool usable_for(Alg alg) const noexcept;
  /// The OpenSSL public key; nullptr for an HMAC secret.
  EVP_PKEY* pkey() const noexcept { return pkey_.get(); }
  /// The HMAC secret; empty for public keys.
  std::span<const unsigned char> secret() const noexcept { return secret_; }
  /// RSA modulus bits, curve bits (256/384/521/255/448), or secret length in bits.
  std::size_t bits() const noexcept { return bits_; }
  /// RFC 7638 SHA-256 thumbprint, base64url; empty for HMAC secrets (it would be a hash of the secret).
  const std::string& thumbprint() const noexcept { return thumbprint_; }
  /// A verification context for `alg` initialised once at load (EVP_DigestVerifyInit with the digest
  /// and PSS parameters), or nullptr. Verifications duplicate it (EVP_MD_CTX_copy_ex, which only reads
  /// it, so sharing it between threads is safe) instead of paying the provider lookups of a fresh init.
  const EVP_MD_CTX* verify_template(Alg alg) const noexcept;
  /// The same for HMAC: an EVP_MAC_CTX keyed with the secret, duplicated per verification; or nullptr.
  const EVP_MAC_CTX* mac_template(Alg alg) const noexcept;

 private:
  void prepare_templates();

  KeyType type_;
  PkeyPtr pkey_;
  std::vector<unsigned char> secret_;
  std::string kid_;
  std::optional<Alg> alg_;
  std::size_t bits_ = 0;
  std::string thumbprint_;
  std::vector<MdCtxPtr> verify_templates_;  // indexed by Alg; null where not usable
  std::vector<MacCtxPtr> mac_templates_;    // indexed by Alg; null where not usable
};

/// A single JWK object (RFC 7517 §4; RSA n/e, EC crv/x/y, OKP crv/x, oct k). Rejects private keys,
/// keys not meant for signature verification and weak keys (see KeyErrc).
KeyResult key_from_jwk(std::string_view json);

/// A PEM "PUBLIC KEY" (SubjectPublicKeyInfo): RSA, EC P-256/384/521, Ed25519 or Ed448. `kid` and `alg`
/// play the roles of the JWK members of the same name.
KeyResult key_from_pem(std::string_view pem, std::string kid = {}, std::optional<Alg> alg = {});

/// An HMAC secret (raw bytes). Empty secrets are rejected; secrets shorter than a hash output are kept
/// but never verify that algorithm (see Key::usable_for).
KeyResult key_from_secret(std::string_view secret, std::string kid = {}, std::optional<Alg> alg = {});

}  // namespace authgate::jose
