// RFC 7616 Digest hashes over OpenSSL EVP. The parts of each H() are fed to the digest one by one with
// ':' between them, so no joined string (and no copy of a password) is ever built.
#include "authgate/schemes/digest_algorithm.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <initializer_list>

#include "authgate/grammar/ascii.hpp"

namespace authgate::schemes::digest {
namespace {

struct Entry {
  Algorithm algorithm;
  std::string_view name;
};

// RFC 7616 §3.3 / §6.1 registry spellings.
constexpr std::array<Entry, 6> entries = {{
    {Algorithm::md5, "MD5"},
    {Algorithm::md5_sess, "MD5-sess"},
    {Algorithm::sha256, "SHA-256"},
    {Algorithm::sha256_sess, "SHA-256-sess"},
    {Algorithm::sha512_256, "SHA-512-256"},
    {Algorithm::sha512_256_sess, "SHA-512-256-sess"},
}};

/// The OpenSSL digest of an algorithm, fetched once per hash function (fetching costs a provider lookup
/// under a lock). nullptr when the providers offer none. Never freed: it lives as long as the process.
const EVP_MD* evp_md(Algorithm algorithm) noexcept {
  switch (algorithm) {
    case Algorithm::md5:
    case Algorithm::md5_sess: {
      static EVP_MD* const md5 = EVP_MD_fetch(nullptr, "MD5", nullptr);
      return md5;
    }
    case Algorithm::sha256:
    case Algorithm::sha256_sess: {
      static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
      return sha256;
    }
    case Algorithm::sha512_256:
    case Algorithm::sha512_256_sess: {
      // RFC 7616 §3.2 cites FIPS 180-4: the real SHA-512/256 with its own initial values ("SHA512-256"),
      // not SHA-512 cut to 256 bits, which is what the published §3.9.2 values use (errata 4897).
      static EVP_MD* const sha512_256 = EVP_MD_fetch(nullptr, "SHA2-512/256", nullptr);
      return sha512_256;
    }
  }
  return nullptr;
}

/// This thread's digest context. It is reset after every use, which frees (and cleanses) the provider's
/// hash state, so nothing derived from a password outlives the call; keeping the context itself saves
/// one allocation per hash.
EVP_MD_CTX* thread_context() noexcept {
  thread_local const std::unique_ptr<EVP_MD_CTX, detail::MdCtxFree> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

std::string to_hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[(2 * i) + 1] = digits[bytes[i] & 0x0f];
  }
  return out;
}

/// Finishes `ctx` into lower-case hex (empty when `ok` is false or finishing fails) and wipes the binary
/// digest, which for HA1 is as good as the password to an attacker.
std::string finish_hex(EVP_MD_CTX* ctx, bool ok) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  ok = ok && EVP_DigestFinal_ex(ctx, digest.data(), &size) == 1;
  std::string out = ok ? to_hex(digest.data(), size) : std::string();
  OPENSSL_cleanse(digest.data(), digest.size());
  return out;
}

/// H(parts[0] ":" parts[1] ":" …) as lower-case hex; empty on machinery failure.
std::string hash_parts(Algorithm algorithm, std::initializer_list<std::string_view> parts) {
  const EVP_MD* md = evp_md(algorithm);
  EVP_MD_CTX* ctx = thread_context();
  if (md == nullptr || ctx == nullptr) return {};
  bool ok = EVP_DigestInit_ex2(ctx, md, nullptr) == 1;
  bool first = true;
  for (const std::string_view part : parts) {
    if (!first) ok = ok && EVP_DigestUpdate(ctx, ":", 1) == 1;
    first = false;
    ok = ok && EVP_DigestUpdate(ctx, part.data(), part.size()) == 1;
  }
  std::string out = finish_hex(ctx, ok);
  EVP_MD_CTX_reset(ctx);
  return out;
}

}  // namespace

void detail::MdCtxFree::operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }

std::optional<Algorithm> parse_algorithm(std::string_view token) noexcept {
  for (const Entry& entry : entries) {
    if (grammar::iequals(token, entry.name)) return entry.algorithm;
  }
  return std::nullopt;
}

std::string_view to_string(Algorithm algorithm) noexcept {
  for (const Entry& entry : entries) {
    if (entry.algorithm == algorithm) return entry.name;
  }
  return "unknown";
}

std::string_view to_string(Qop qop) noexcept { return qop == Qop::auth_int ? "auth-int" : "auth"; }

bool is_session(Algorithm algorithm) noexcept {
  return algorithm == Algorithm::md5_sess || algorithm == Algorithm::sha256_sess ||
         algorithm == Algorithm::sha512_256_sess;
}

std::size_t hex_size(Algorithm algorithm) noexcept {
  return (algorithm == Algorithm::md5 || algorithm == Algorithm::md5_sess) ? 32 : 64;
}

bool is_available(Algorithm algorithm) noexcept { return evp_md(algorithm) != nullptr; }

std::string hash_hex(Algorithm algorithm, std::string_view data) { return hash_parts(algorithm, {data}); }

std::string ha1(Algorithm algorithm, std::string_view user, std::string_view realm,
                std::string_view password) {
  return hash_parts(algorithm, {user, realm, password});
}

std::string session_ha1(Algorithm algorithm, std::string_view ha1_hex, std::string_view nonce,
                        std::string_view cnonce) {
  if (ha1_hex.empty()) return {};
  return hash_parts(algorithm, {ha1_hex, nonce, cnonce});
}

std::string ha2(Algorithm algorithm, std::string_view method, std::string_view uri) {
  return hash_parts(algorithm, {method, uri});
}

std::string ha2_int(Algorithm algorithm, std::string_view method, std::string_view uri,
                    std::string_view body_hash_hex) {
  if (body_hash_hex.empty()) return {};
  return hash_parts(algorithm, {method, uri, body_hash_hex});
}

std::string response(Algorithm algorithm, std::string_view ha1_hex, std::string_view nonce,
                     std::string_view nc, std::string_view cnonce, Qop qop, std::string_view ha2_hex) {
  if (ha1_hex.empty() || ha2_hex.empty()) return {};
  return hash_parts(algorithm, {ha1_hex, nonce, nc, cnonce, to_string(qop), ha2_hex});
}

std::string userhash(Algorithm algorithm, std::string_view user, std::string_view realm) {
  return hash_parts(algorithm, {user, realm});
}

bool same_digest(std::string_view expected, std::string_view given) noexcept {
  // The sizes are public (fixed per algorithm); only the bytes are compared in constant time.
  if (expected.empty() || expected.size() != given.size()) return false;
  return CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

BodyHash::BodyHash(Algorithm algorithm) : ctx_(EVP_MD_CTX_new()), ok_(false) {
  const EVP_MD* md = evp_md(algorithm);
  ok_ = ctx_ != nullptr && md != nullptr && EVP_DigestInit_ex2(ctx_.get(), md, nullptr) == 1;
}

void BodyHash::update(std::string_view bytes) noexcept {
  ok_ = ok_ && EVP_DigestUpdate(ctx_.get(), bytes.data(), bytes.size()) == 1;
}

std::string BodyHash::finish() {
  if (!ok_) return {};
  ok_ = false;  // a second finish() answers empty rather than a digest of nothing
  return finish_hex(ctx_.get(), true);
}

}  // namespace authgate::schemes::digest
