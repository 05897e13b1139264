// The shapes of the argon2id, yescrypt and sha-crypt settings. Pure string work, no allocation.
#include "stores/hash_format.hpp"

#include <algorithm>
#include <charconv>

namespace authgate::stores::detail {
namespace {

/// Consumes `prefix` from the front of `s`.
bool eat(std::string_view& s, std::string_view prefix) noexcept {
  if (!s.starts_with(prefix)) return false;
  s.remove_prefix(prefix.size());
  return true;
}

/// Consumes a decimal number (1..10 digits, fits in 32 bits) from the front of `s`.
std::optional<std::uint32_t> eat_decimal(std::string_view& s) noexcept {
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  if (digits == 0 || digits > 10) return std::nullopt;
  std::uint32_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + digits, value);
  if (ec != std::errc{} || end != s.data() + digits) return std::nullopt;
  s.remove_prefix(digits);
  return value;
}

/// Consumes everything up to the next '$' (exclusive) and the '$' itself.
std::optional<std::string_view> eat_field(std::string_view& s) noexcept {
  const auto dollar = s.find('$');
  if (dollar == std::string_view::npos) return std::nullopt;
  const auto field = s.substr(0, dollar);
  s.remove_prefix(dollar + 1);
  return field;
}

bool is_base64_char(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

int crypt64_value(char c) noexcept {
  if (c == '.') return 0;
  if (c == '/') return 1;
  if (c >= '0' && c <= '9') return c - '0' + 2;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 12;
  if (c >= 'a' && c <= 'z') return c - 'a' + 38;
  return -1;
}

/// libxcrypt's variable-length little-endian base-64 integer (yescrypt-common.c decode64_uint32):
/// the first character's range says how many characters follow.
std::optional<std::uint32_t> eat_yescrypt_uint(std::string_view& s, std::uint32_t min) noexcept {
  if (s.empty()) return std::nullopt;
  const int first = crypt64_value(s.front());
  if (first < 0) return std::nullopt;
  s.remove_prefix(1);
  std::uint64_t value = min;
  std::uint32_t start = 0, end = 47, chars = 1, bits = 0;
  const auto c = static_cast<std::uint32_t>(first);
  while (c > end) {
    value += std::uint64_t{end + 1 - start} << bits;
    start = end + 1;
    end = start + (62 - end) / 2;
    ++chars;
    bits += 6;
  }
  value += std::uint64_t{c - start} << bits;
  while (--chars) {
    if (s.empty() || crypt64_value(s.front()) < 0) return std::nullopt;
    value += std::uint64_t(crypt64_value(s.front())) << bits;
    s.remove_prefix(1);
    bits += 6;
  }
  if (value > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(value);
}

}  // namespace

bool is_crypt64(char c) noexcept { return crypt64_value(c) >= 0; }

bool all_crypt64(std::string_view s) noexcept { return std::all_of(s.begin(), s.end(), is_crypt64); }

std::optional<std::size_t> unpadded_base64_bytes(std::string_view b64) noexcept {
  if (!std::all_of(b64.begin(), b64.end(), is_base64_char) || b64.size() % 4 == 1) return std::nullopt;
  return b64.size() / 4 * 3 + (b64.size() % 4 == 0 ? 0 : b64.size() % 4 - 1);
}

std::optional<Argon2Setting> parse_argon2id(std::string_view hash) noexcept {
  Argon2Setting out;
  std::string_view s = hash;
  if (!eat(s, "$argon2id$")) return std::nullopt;
  if (eat(s, "v=")) {
    const auto version = eat_decimal(s);
    if (!version || !eat(s, "$")) return std::nullopt;
    out.version = *version;
  }
  std::optional<std::uint32_t> m, t, p;
  if (!eat(s, "m=") || !(m = eat_decimal(s)) || !eat(s, ",t=") || !(t = eat_decimal(s)) || !eat(s, ",p=") ||
      !(p = eat_decimal(s)) || !eat(s, "$")) {
    return std::nullopt;
  }
  out.memory_kib = *m;
  out.time_cost = *t;
  out.lanes = *p;
  out.prefix = hash.substr(0, hash.size() - s.size());
  const auto salt = eat_field(s);
  if (!salt || s.find('$') != std::string_view::npos) return std::nullopt;
  out.salt_b64 = *salt;
  out.hash_b64 = s;
  return out;
}

std::optional<YescryptCost> decode_yescrypt_params(std::string_view params) noexcept {
  YescryptCost out;
  std::string_view s = params;
  const auto flavor = eat_yescrypt_uint(s, 0);
  const auto n_log2 = flavor ? eat_yescrypt_uint(s, 1) : std::nullopt;
  const auto r = n_log2 ? eat_yescrypt_uint(s, 1) : std::nullopt;
  // Flavors above YESCRYPT_RW + (mask >> 2) are refused by libxcrypt; the bounds on N and r keep
  // 128·r·2^n_log2 far from overflow (check_hash applies the real memory limit).
  if (!r || *flavor > 2 + (0x3fc >> 2) || *n_log2 > 32 || *r > (1u << 16)) return std::nullopt;
  out.n_log2 = *n_log2;
  out.r = *r;
  if (!s.empty()) {
    const auto have = eat_yescrypt_uint(s, 1);
    if (!have || (*have & ~std::uint32_t{0x7}) != 0) return std::nullopt;  // have & 8 = a ROM: unsupported
    if (*have & 1) {
      const auto p = eat_yescrypt_uint(s, 2);
      if (!p) return std::nullopt;
      out.p = *p;
    }
    if (*have & 2) {
      const auto t = eat_yescrypt_uint(s, 1);
      if (!t) return std::nullopt;
      out.t = *t;
    }
    if ((*have & 4) && !eat_yescrypt_uint(s, 1)) return std::nullopt;
    if (!s.empty()) return std::nullopt;
  }
  return out;
}

std::optional<ShaCryptSetting> parse_sha_crypt(std::string_view hash) noexcept {
  ShaCryptSetting out;
  std::string_view s = hash;
  if (!eat(s, "$5$") && !eat(s, "$6$")) return std::nullopt;
  if (eat(s, "rounds=")) {
    const auto rounds = eat_decimal(s);
    if (!rounds || !eat(s, "$")) return std::nullopt;
    out.rounds = *rounds;
    out.explicit_rounds = true;
  }
  out.prefix = hash.substr(0, hash.size() - s.size());
  const auto salt = eat_field(s);
  if (!salt || s.find('$') != std::string_view::npos) return std::nullopt;
  out.salt = *salt;
  out.digest = s;
  return out;
}

}  // namespace authgate::stores::detail
