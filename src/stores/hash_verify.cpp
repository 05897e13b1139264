// verify_password(): one dispatch over the hash kinds, counted per kind.
#include <argon2.h>

#include <array>
#include <atomic>
#include <string>

#include "authgate/stores/password_hash.hpp"
#include "authgate/stores/same_bytes.hpp"
#include "stores/hash_backend.hpp"

namespace authgate::stores {
namespace {

constexpr std::size_t kind_count = static_cast<std::size_t>(HashKind::unknown) + 1;

std::array<std::atomic<std::uint64_t>, kind_count>& computations() {
  static std::array<std::atomic<std::uint64_t>, kind_count> counters{};
  return counters;
}

VerifyResult compare(const std::optional<std::string>& computed, std::string_view hash) {
  if (!computed) return VerifyResult::malformed;
  // The lengths are not secret: they follow from the format of the stored hash.
  return same_bytes(*computed, hash) ? VerifyResult::match : VerifyResult::mismatch;
}

VerifyResult verify_argon2id(std::string_view password, std::string_view hash) {
  const std::string encoded(hash);
  // argon2id_verify recomputes with the encoded parameters and compares in constant time itself.
  switch (argon2id_verify(encoded.c_str(), password.data(), password.size())) {
    case ARGON2_OK:
      return VerifyResult::match;
    case ARGON2_VERIFY_MISMATCH:
      return VerifyResult::mismatch;
    default:
      return VerifyResult::malformed;
  }
}

VerifyResult compute_and_compare(HashKind kind, std::string_view password, std::string_view hash) {
  switch (kind) {
    case HashKind::apr1_md5:
      return compare(detail::run_apr1(password, hash), hash);
    case HashKind::sha1:
      return compare(detail::run_apr_sha1(password), hash);
    case HashKind::argon2id:
      return verify_argon2id(password, hash);
    case HashKind::plaintext:
      return same_bytes(password, hash) ? VerifyResult::match : VerifyResult::mismatch;
    case HashKind::unknown:
      return VerifyResult::malformed;
    default:
      return compare(detail::run_crypt(password, hash), hash);
  }
}

}  // namespace

VerifyResult verify_password(std::string_view password, std::string_view hash, bool allow_weak) {
  const HashKind kind = classify_hash(hash);
  if (kind == HashKind::unknown) return VerifyResult::malformed;
  if (is_weak(kind) && !allow_weak) return VerifyResult::unsupported;
  if (!check_hash(hash).empty()) return VerifyResult::malformed;
  // crypt(3) stops at NUL, so "secret\0anything" would verify as "secret"; no stored hash can hold a NUL.
  if (password.size() > max_password_bytes || password.find('\0') != std::string_view::npos) {
    return VerifyResult::mismatch;
  }
  computations()[static_cast<std::size_t>(kind)].fetch_add(1, std::memory_order_relaxed);
  return compute_and_compare(kind, password, hash);
}

std::uint64_t hash_computations(HashKind kind) noexcept {
  const auto index = static_cast<std::size_t>(kind);
  return index < kind_count ? computations()[index].load(std::memory_order_relaxed) : 0;
}

}  // namespace authgate::stores
