#pragma once
// Internal: the shapes of the hash formats, shared by check_hash(), cost_prefix() and hash_like().

#include <cstdint>
#include <optional>
#include <string_view>

namespace authgate::stores::detail {

/// crypt(3)'s base-64 alphabet "./0-9A-Za-z".
bool is_crypt64(char c) noexcept;
bool all_crypt64(std::string_view s) noexcept;

/// "$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>" taken apart (salt and hash still base64, unpadded).
struct Argon2Setting {
  std::uint32_t version = 0x10;  // absent "v=" means the original 1.0 (0x10), as libargon2 decodes it
  std::uint32_t memory_kib = 0;
  std::uint32_t time_cost = 0;
  std::uint32_t lanes = 0;
  std::string_view salt_b64;
  std::string_view hash_b64;
  std::string_view prefix;  // everything up to and including the '$' before the salt
};
std::optional<Argon2Setting> parse_argon2id(std::string_view hash) noexcept;

/// Bytes encoded by unpadded base64 of this length, or nullopt when the length is impossible.
std::optional<std::size_t> unpadded_base64_bytes(std::string_view b64) noexcept;

/// yescrypt's cost, decoded from the "$y$<params>$" field the way libxcrypt decodes it.
struct YescryptCost {
  std::uint32_t n_log2 = 0;
  std::uint32_t r = 0;
  std::uint32_t p = 1;
  std::uint32_t t = 0;
  std::uint64_t memory_bytes() const noexcept { return (std::uint64_t{128} * r) << n_log2; }
};
std::optional<YescryptCost> decode_yescrypt_params(std::string_view params) noexcept;

/// "$5$rounds=N$salt$digest" / "$6$…" taken apart; rounds = 5000 when absent (the crypt default).
struct ShaCryptSetting {
  std::uint32_t rounds = 5000;
  bool explicit_rounds = false;
  std::string_view salt;
  std::string_view digest;
  std::string_view prefix;  // "$6$" or "$6$rounds=N$"
};
std::optional<ShaCryptSetting> parse_sha_crypt(std::string_view hash) noexcept;

}  // namespace authgate::stores::detail
