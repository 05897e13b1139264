// Stateless nonces: HMAC-SHA256 through OpenSSL's EVP_MAC, one fetched MAC per process.
#include "schemes/digest/digest_nonce.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>

#include "authgate/grammar/base64.hpp"

namespace authgate::schemes::digest {
namespace {

constexpr std::size_t stamp_bytes = 8;
constexpr std::size_t random_bytes = 8;
constexpr std::size_t mac_bytes = 16;
constexpr std::size_t nonce_bytes = stamp_bytes + random_bytes + mac_bytes;
// A nonce stamped this far ahead of our clock was not issued by an instance whose clock agrees with ours.
constexpr std::chrono::seconds max_clock_skew{5};

EVP_MAC* hmac() noexcept {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using MacContext = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

/// This thread's HMAC-SHA256 context (digest set once; the key is set per call, because one thread
/// serves every realm).
EVP_MAC_CTX* thread_context() noexcept {
  thread_local const MacContext ctx = [] {
    MacContext made(hmac() != nullptr ? EVP_MAC_CTX_new(hmac()) : nullptr);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    if (made != nullptr && EVP_MAC_CTX_set_params(made.get(), params) != 1) made.reset();
    return made;
  }();
  return ctx.get();
}

void put_stamp(unsigned char* out, std::int64_t seconds) {
  auto value = static_cast<std::uint64_t>(seconds);
  for (std::size_t i = 0; i < stamp_bytes; ++i)
    out[stamp_bytes - 1 - i] = static_cast<unsigned char>(value >> (8 * i));
}

std::int64_t get_stamp(const unsigned char* in) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < stamp_bytes; ++i) value = (value << 8) | in[i];
  return static_cast<std::int64_t>(value);
}

std::string_view as_chars(const unsigned char* bytes, std::size_t size) {
  return {reinterpret_cast<const char*>(bytes), size};
}

}  // namespace

NonceAuthority::NonceAuthority(std::string_view secret, std::string realm, std::chrono::seconds lifetime)
    : realm_(std::move(realm)), lifetime_(lifetime) {
  if (secret.size() < 32) throw std::invalid_argument("digest nonce secret shorter than 32 bytes");
  if (lifetime <= std::chrono::seconds::zero())
    throw std::invalid_argument("digest nonce lifetime not positive");
  if (thread_context() == nullptr) throw std::runtime_error("digest nonces: HMAC-SHA256 unavailable");
  // The configured secret may be any length; the MAC key is always its SHA-256, so every realm uses a
  // fixed-size key and the secret itself is not kept.
  unsigned int size = 0;
  if (EVP_Digest(secret.data(), secret.size(), key_.data(), &size, EVP_sha256(), nullptr) != 1 ||
      size != key_.size()) {
    throw std::runtime_error("digest nonces: SHA-256 unavailable");
  }
  const auto tag = mac("opaque", {});
  opaque_ = grammar::encode_base64url(as_chars(tag.data(), tag.size()));
}

NonceAuthority::~NonceAuthority() { OPENSSL_cleanse(key_.data(), key_.size()); }

std::array<unsigned char, 16> NonceAuthority::mac(std::string_view label, std::string_view payload) const {
  std::array<unsigned char, EVP_MAX_MD_SIZE> full{};
  std::size_t written = 0;
  EVP_MAC_CTX* ctx = thread_context();
  // The parts are length-framed by construction: label and realm end in NUL (neither may hold one), the
  // payload has a fixed size.
  const auto feed = [&](std::string_view part) {
    return EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(part.data()), part.size()) == 1;
  };
  static constexpr char nul = '\0';
  const bool ok = ctx != nullptr && EVP_MAC_init(ctx, key_.data(), key_.size(), nullptr) == 1 &&
                  feed("authgate-digest-") && feed(label) && feed({&nul, 1}) && feed(realm_) &&
                  feed({&nul, 1}) && feed(payload) &&
                  EVP_MAC_final(ctx, full.data(), &written, full.size()) == 1;
  std::array<unsigned char, mac_bytes> out{};
  if (!ok || written < mac_bytes) {
    // Never a predictable tag: a failed MAC yields random bytes, which no nonce will match.
    (void)RAND_bytes(out.data(), static_cast<int>(out.size()));
    return out;
  }
  std::copy_n(full.begin(), mac_bytes, out.begin());
  return out;
}

std::string NonceAuthority::issue(TimePoint now) const {
  std::array<unsigned char, nonce_bytes> raw{};
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  put_stamp(raw.data(), seconds);
  if (RAND_bytes(raw.data() + stamp_bytes, static_cast<int>(random_bytes)) != 1) return {};
  // The MAC also covers opaque (it is derived from the realm and secret, so binding the realm binds it).
  const auto tag = mac("nonce", as_chars(raw.data(), stamp_bytes + random_bytes));
  std::copy(tag.begin(), tag.end(), raw.begin() + stamp_bytes + random_bytes);
  return grammar::encode_base64url(as_chars(raw.data(), raw.size()));
}

NonceCheck NonceAuthority::check(std::string_view nonce, TimePoint now) const {
  NonceCheck result;
  // 32 bytes are exactly 43 base64url characters without padding.
  if (nonce.size() != 43) return result;
  auto raw = grammar::decode_base64url(nonce);
  if (!raw || raw->size() != nonce_bytes) return result;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw->data());
  const auto tag = mac("nonce", as_chars(bytes, stamp_bytes + random_bytes));
  if (CRYPTO_memcmp(tag.data(), bytes + stamp_bytes + random_bytes, mac_bytes) != 0) return result;
  const TimePoint issued{std::chrono::seconds{get_stamp(bytes)}};
  if (issued > now + max_clock_skew) return result;
  result.expires = issued + lifetime_;
  result.state = now < result.expires ? NonceState::fresh : NonceState::stale;
  return result;
}

}  // namespace authgate::schemes::digest
