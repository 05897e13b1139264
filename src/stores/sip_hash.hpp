#pragma once
// Internal: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash for maps whose keys an attacker
// chooses. With an unkeyed hash (std::hash) a client could pick user names that all land in one bucket or
// one shard; without the key it cannot tell where a name lands. The algorithm is OpenSSL's (EVP_MAC
// "SIPHASH", default provider); this file only adapts it to a map hasher.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace authgate::stores::detail {

using SipKey = std::array<std::uint8_t, 16>;

/// True when OpenSSL provides SIPHASH. It may not when only the FIPS provider is loaded, which lacks it.
/// Whoever builds a map over sip_hash checks this first, at start-up, so that sip_hash never meets it.
bool sip_hash_available() noexcept;

/// SipHash-2-4 of `data` under `key`, as in the reference implementation (little-endian output word).
/// Thread-safe: each thread keeps its own OpenSSL context, keyed again on every call. Aborts with a message
/// if OpenSSL fails, which only a missing provider (see sip_hash_available) or no memory can cause.
std::uint64_t sip_hash(const SipKey& key, std::string_view data) noexcept;

/// A map hasher holding its key; transparent, so maps of std::string are searched with a string_view.
struct SipHasher {
  using is_transparent = void;
  const SipKey* key = nullptr;
  std::size_t operator()(std::string_view data) const noexcept { return sip_hash(*key, data); }
};

}  // namespace authgate::stores::detail
