// Recognising a stored hash: its kind (by prefix and shape), its full validation with cost limits, and
// the prefix that names its cost.
#include <algorithm>
#include <string>

#include "authgate/stores/password_hash.hpp"
#include "stores/hash_format.hpp"

namespace authgate::stores {
namespace {

using detail::all_crypt64;

bool has_control(std::string_view s) noexcept {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

std::string check_bcrypt(std::string_view hash, const CostLimits& limits) {
  // "$2y$" cost(2 digits) "$" salt(22) digest(31), all in crypt64.
  if (hash.size() != 60 || hash[6] != '$' || !all_crypt64(hash.substr(7))) return "malformed bcrypt hash";
  if (hash[4] < '0' || hash[4] > '9' || hash[5] < '0' || hash[5] > '9') return "malformed bcrypt cost";
  const int cost = (hash[4] - '0') * 10 + (hash[5] - '0');
  if (cost < 4) return "bcrypt cost " + std::to_string(cost) + " is below 4";
  if (cost > limits.max_bcrypt_cost) {
    return "bcrypt cost " + std::to_string(cost) + " is above the limit " +
           std::to_string(limits.max_bcrypt_cost);
  }
  return {};
}

std::string check_md5(std::string_view hash, std::string_view magic) {
  // magic salt(1..8) "$" digest(22)
  const auto rest = hash.substr(magic.size());
  const auto dollar = rest.find('$');
  if (dollar == std::string_view::npos || dollar == 0 || dollar > 8) return "malformed md5 hash salt";
  const auto digest = rest.substr(dollar + 1);
  if (!all_crypt64(rest.substr(0, dollar)) || digest.size() != 22 || !all_crypt64(digest)) {
    return "malformed md5 hash";
  }
  return {};
}

std::string check_sha_crypt(std::string_view hash, const CostLimits& limits) {
  const auto setting = detail::parse_sha_crypt(hash);
  const std::size_t digest_size = hash[1] == '5' ? 43 : 86;
  if (!setting || setting->salt.empty() || setting->salt.size() > 16 || !all_crypt64(setting->salt) ||
      setting->digest.size() != digest_size || !all_crypt64(setting->digest)) {
    return "malformed sha-crypt hash";
  }
  // crypt(3) clamps rounds below 1000 and writes "rounds=1000": such a stored line can never match.
  if (setting->rounds < 1000) return "sha-crypt rounds below 1000";
  if (setting->rounds > limits.max_sha_crypt_rounds) {
    return "sha-crypt rounds " + std::to_string(setting->rounds) + " above the limit " +
           std::to_string(limits.max_sha_crypt_rounds);
  }
  return {};
}

std::string check_yescrypt(std::string_view hash, const CostLimits& limits) {
  // "$y$" params "$" salt "$" digest(43)
  const auto rest = hash.substr(3);
  const auto first = rest.find('$');
  const auto second = first == std::string_view::npos ? first : rest.find('$', first + 1);
  if (second == std::string_view::npos) return "malformed yescrypt hash";
  const auto salt = rest.substr(first + 1, second - first - 1);
  const auto digest = rest.substr(second + 1);
  const auto cost = detail::decode_yescrypt_params(rest.substr(0, first));
  if (!cost || salt.empty() || !all_crypt64(salt) || digest.size() != 43 || !all_crypt64(digest)) {
    return "malformed yescrypt hash";
  }
  if (cost->memory_bytes() > limits.max_memory_bytes || cost->p > 64 || cost->t > 8) {
    return "yescrypt cost above the limits";
  }
  return {};
}

std::string check_argon2id(std::string_view hash, const CostLimits& limits) {
  const auto setting = detail::parse_argon2id(hash);
  if (!setting) return "malformed argon2id hash";
  const auto salt = detail::unpadded_base64_bytes(setting->salt_b64);
  const auto digest = detail::unpadded_base64_bytes(setting->hash_b64);
  // libargon2's own minimums: 8-byte salt, 4-byte output, 8 KiB per lane, one pass, one lane.
  if (!salt || *salt < 8 || !digest || *digest < 4 ||
      (setting->version != 0x10 && setting->version != 0x13) || setting->lanes < 1 ||
      setting->time_cost < 1 || setting->memory_kib < 8 * setting->lanes) {
    return "malformed argon2id hash";
  }
  if (std::uint64_t{setting->memory_kib} * 1024 > limits.max_memory_bytes ||
      setting->time_cost > limits.max_argon2_time || setting->lanes > limits.max_argon2_lanes) {
    return "argon2id cost above the limits";
  }
  return {};
}

std::string check_sha1(std::string_view hash) {
  // "{SHA}" + padded base64 of 20 bytes: 27 characters and one '='.
  const auto b64 = hash.substr(5);
  if (b64.size() != 28 || b64.back() != '=' || !detail::unpadded_base64_bytes(b64.substr(0, 27))) {
    return "malformed {SHA} hash";
  }
  return {};
}

}  // namespace

std::string_view to_string(HashKind kind) noexcept {
  switch (kind) {
    case HashKind::bcrypt:
      return "bcrypt";
    case HashKind::apr1_md5:
      return "apr1_md5";
    case HashKind::md5_crypt:
      return "md5_crypt";
    case HashKind::sha1:
      return "sha1";
    case HashKind::sha256_crypt:
      return "sha256_crypt";
    case HashKind::sha512_crypt:
      return "sha512_crypt";
    case HashKind::yescrypt:
      return "yescrypt";
    case HashKind::argon2id:
      return "argon2id";
    case HashKind::des_crypt:
      return "des_crypt";
    case HashKind::plaintext:
      return "plaintext";
    case HashKind::unknown:
      return "unknown";
  }
  return "unknown";
}

HashKind classify_hash(std::string_view hash) noexcept {
  if (hash.starts_with("$2y$") || hash.starts_with("$2b$") || hash.starts_with("$2a$"))
    return HashKind::bcrypt;
  if (hash.starts_with("$apr1$")) return HashKind::apr1_md5;
  if (hash.starts_with("$1$")) return HashKind::md5_crypt;
  if (hash.starts_with("$5$")) return HashKind::sha256_crypt;
  if (hash.starts_with("$6$")) return HashKind::sha512_crypt;
  if (hash.starts_with("$y$")) return HashKind::yescrypt;
  if (hash.starts_with("$argon2id$")) return HashKind::argon2id;
  if (hash.starts_with("{SHA}")) return HashKind::sha1;
  if (hash.empty() || hash.front() == '$') return HashKind::unknown;
  // Apache cannot tell a 13-character plaintext of crypt64 characters from DES-crypt either.
  if (hash.size() == 13 && all_crypt64(hash)) return HashKind::des_crypt;
  return HashKind::plaintext;
}

bool is_expensive(HashKind kind) noexcept {
  switch (kind) {
    case HashKind::bcrypt:
    case HashKind::apr1_md5:
    case HashKind::md5_crypt:
    case HashKind::sha256_crypt:
    case HashKind::sha512_crypt:
    case HashKind::yescrypt:
    case HashKind::argon2id:
      return true;
    default:
      return false;
  }
}

bool is_weak(HashKind kind) noexcept { return kind == HashKind::des_crypt || kind == HashKind::plaintext; }

std::string check_hash(std::string_view hash, const CostLimits& limits) {
  switch (classify_hash(hash)) {
    case HashKind::bcrypt:
      return check_bcrypt(hash, limits);
    case HashKind::apr1_md5:
      return check_md5(hash, "$apr1$");
    case HashKind::md5_crypt:
      return check_md5(hash, "$1$");
    case HashKind::sha256_crypt:
    case HashKind::sha512_crypt:
      return check_sha_crypt(hash, limits);
    case HashKind::yescrypt:
      return check_yescrypt(hash, limits);
    case HashKind::argon2id:
      return check_argon2id(hash, limits);
    case HashKind::sha1:
      return check_sha1(hash);
    case HashKind::des_crypt:
      return {};
    case HashKind::plaintext:
      return has_control(hash) ? "control character in a plaintext password" : "";
    case HashKind::unknown:
      break;
  }
  return hash.empty() ? "empty hash" : "unsupported hash format";
}

std::string_view cost_prefix(std::string_view hash) noexcept {
  switch (classify_hash(hash)) {
    case HashKind::bcrypt:
      return hash.substr(0, 7);
    case HashKind::apr1_md5:
      return hash.substr(0, 6);
    case HashKind::md5_crypt:
      return hash.substr(0, 3);
    case HashKind::sha1:
      return hash.substr(0, 5);
    case HashKind::sha256_crypt:
    case HashKind::sha512_crypt: {
      const auto setting = detail::parse_sha_crypt(hash);
      return setting ? setting->prefix : hash.substr(0, 3);
    }
    case HashKind::yescrypt: {
      const auto end = hash.find('$', 3);
      return end == std::string_view::npos ? hash.substr(0, 3) : hash.substr(0, end + 1);
    }
    case HashKind::argon2id: {
      const auto setting = detail::parse_argon2id(hash);
      return setting ? setting->prefix : hash.substr(0, 10);
    }
    default:
      return {};
  }
}

}  // namespace authgate::stores
