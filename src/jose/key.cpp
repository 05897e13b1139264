// The Key value type, HMAC secrets, and key error names.
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <boost/throw_exception.hpp>
#include <stdexcept>

#include "authgate/jose/jwk.hpp"
#include "jose/verify_context.hpp"

namespace authgate::jose {

std::string_view to_string(KeyErrc code) noexcept {
  switch (code) {
    case KeyErrc::unparseable:
      return "unparseable";
    case KeyErrc::missing_member:
      return "missing_member";
    case KeyErrc::bad_member:
      return "bad_member";
    case KeyErrc::unsupported_kty:
      return "unsupported_kty";
    case KeyErrc::unsupported_curve:
      return "unsupported_curve";
    case KeyErrc::not_for_signing:
      return "not_for_signing";
    case KeyErrc::unsupported_alg:
      return "unsupported_alg";
    case KeyErrc::weak_key:
      return "weak_key";
    case KeyErrc::invalid_key:
      return "invalid_key";
    case KeyErrc::private_key:
      return "private_key";
    case KeyErrc::duplicate_kid:
      return "duplicate_kid";
    case KeyErrc::mixed_key_set:
      return "mixed_key_set";
    case KeyErrc::too_large:
      return "too_large";
    case KeyErrc::io:
      return "io";
  }
  return "unknown";
}

std::string KeyError::message() const {
  std::string out(to_string(code));
  if (!detail.empty()) out += ": " + detail;
  return out;
}

void throw_exception_from_error(const KeyError& e, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(e.message()), loc);
}

void PkeyFree::operator()(EVP_PKEY* pkey) const noexcept { EVP_PKEY_free(pkey); }
void MdCtxFree::operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
void MacCtxFree::operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }

Key::Key(KeyType type, PkeyPtr pkey, std::string kid, std::optional<Alg> alg, std::string thumbprint)
    : type_(type),
      pkey_(std::move(pkey)),
      kid_(std::move(kid)),
      alg_(alg),
      thumbprint_(std::move(thumbprint)) {
  bits_ = pkey_ ? static_cast<std::size_t>(EVP_PKEY_get_bits(pkey_.get())) : 0;
  prepare_templates();
}

Key::Key(std::vector<unsigned char> secret, std::string kid, std::optional<Alg> alg)
    : type_(KeyType::oct), secret_(std::move(secret)), kid_(std::move(kid)), alg_(alg) {
  bits_ = secret_.size() * 8;
  prepare_templates();
}

void Key::prepare_templates() {
  const std::size_t count = all_algs().size();
  verify_templates_.resize(count);
  mac_templates_.resize(count);
  for (const Alg alg : all_algs()) {
    if (!usable_for(alg)) continue;
    const auto at = static_cast<std::size_t>(alg);
    if (pkey_) verify_templates_[at] = detail::make_verify_context(alg, pkey_.get());
    if (!secret_.empty()) mac_templates_[at] = detail::make_mac_context(alg, secret_);
  }
}

const EVP_MD_CTX* Key::verify_template(Alg alg) const noexcept {
  const auto at = static_cast<std::size_t>(alg);
  return at < verify_templates_.size() ? verify_templates_[at].get() : nullptr;
}

const EVP_MAC_CTX* Key::mac_template(Alg alg) const noexcept {
  const auto at = static_cast<std::size_t>(alg);
  return at < mac_templates_.size() ? mac_templates_[at].get() : nullptr;
}

Key::~Key() {
  if (!secret_.empty()) OPENSSL_cleanse(secret_.data(), secret_.size());
}

bool Key::usable_for(Alg alg) const noexcept {
  if (!alg_fits(alg, type_)) return false;
  // RFC 7517 §4.4: a key that names its algorithm is used with that algorithm only (a PS256 key never
  // verifies RS256, which closes the RSA padding-confusion door as well).
  if (alg_ && *alg_ != alg) return false;
  // RFC 7518 §3.2: "A key of the same size as the hash output (for instance, 256 bits for "HS256") or
  // larger MUST be used with this algorithm."
  if (type_ == KeyType::oct) return secret_.size() >= hash_length(alg);
  return true;
}

KeyResult key_from_secret(std::string_view secret, std::string kid, std::optional<Alg> alg) {
  if (secret.empty()) return KeyError{KeyErrc::weak_key, "empty HMAC secret"};
  if (alg && !alg_fits(*alg, KeyType::oct)) {
    return KeyError{KeyErrc::unsupported_alg, std::string(to_string(*alg)) + " is not an HMAC algorithm"};
  }
  std::vector<unsigned char> bytes(secret.begin(), secret.end());
  return std::make_shared<const Key>(std::move(bytes), std::move(kid), alg);
}

}  // namespace authgate::jose
