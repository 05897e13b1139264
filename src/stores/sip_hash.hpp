#pragma once
// Internal: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash for maps whose keys an attacker
// chooses and, with its 128-bit output, the verified-credential cache's keyed PRF. With an unkeyed hash
// (std::hash) a client could pick user names that all land in one bucket or one shard; without the key it
// cannot tell where a name lands.
//
// Written here rather than called through OpenSSL's EVP_MAC "SIPHASH": the algorithm is the same, and
// tests/unit/stores/sip_hash_test.cpp checks every output against OpenSSL's for every message length to
// 300 in every split into pieces, both output sizes. But each EVP_MAC init/update/final goes through
// parameter lookup and provider dispatch that cost ≈ 700 instructions a key before any hashing (more than
// the hashing of a Basic credential; bench/README.md), on every authenticated request.

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace authgate::stores::detail {

using SipKey = std::array<std::uint8_t, 16>;

/// SipHash-2-4, fed in pieces: the message is the pieces joined. Output of 64 bits (`finish64`) or of
/// 128 bits (`finish128`, the mode chosen at construction); the output matches the reference
/// implementation's (and OpenSSL's) byte for byte.
class SipHash24 {
 public:
  enum class Output { bits64, bits128 };

  SipHash24(const SipKey& key, Output output) noexcept {
    const std::uint64_t k0 = load_le(key.data());
    const std::uint64_t k1 = load_le(key.data() + 8);
    state_ = {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0,
              0x7465646279746573ULL ^ k1};
    if (output == Output::bits128) state_.v1 ^= 0xee;
  }

  void update(std::string_view piece) noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(piece.data());
    std::size_t left = piece.size();
    total_ += left;
    if (pending_ > 0) {  // complete the word an earlier piece began
      const std::size_t take = std::min(left, 8 - pending_);
      tail_ |= load_partial(p, take) << (8 * pending_);
      pending_ += take;
      p += take;
      left -= take;
      if (pending_ < 8) return;
      compress(tail_);
      tail_ = 0;
      pending_ = 0;
    }
    compress_words(p, left / 8);
    p += left - left % 8;
    pending_ = left % 8;
    tail_ = load_partial(p, pending_);
  }

  /// The 64-bit output; for a hasher built with Output::bits64. Ends the hash.
  std::uint64_t finish64() noexcept {
    State s = finish_message();
    s.v2 ^= 0xff;
    finalize_rounds(s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
  }

  /// The 128-bit output as 16 bytes, each 64-bit half little-endian; for Output::bits128. Ends the hash.
  std::array<std::uint8_t, 16> finish128() noexcept {
    State s = finish_message();
    s.v2 ^= 0xee;
    finalize_rounds(s);
    const std::uint64_t low = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    s.v1 ^= 0xdd;
    finalize_rounds(s);
    const std::uint64_t high = s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
    std::array<std::uint8_t, 16> out{};
    store_le(low, out.data());
    store_le(high, out.data() + 8);
    return out;
  }

 private:
  static std::uint64_t load_le(const std::uint8_t* p) noexcept {
    std::uint64_t word = 0;
    std::memcpy(&word, p, sizeof word);
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    return word;
  }
  /// The first `count` (0–7) bytes at `p`, little-endian; `p` is not read when `count` is 0. Byte by
  /// byte, as the reference does: a memcpy of a variable size is a call into libc.
  static std::uint64_t load_partial(const std::uint8_t* p, std::size_t count) noexcept {
    std::uint64_t word = 0;
    for (std::size_t i = count; i > 0; --i) word = (word << 8) | p[i - 1];
    return word;
  }
  static void store_le(std::uint64_t word, std::uint8_t* p) noexcept {
    if constexpr (std::endian::native == std::endian::big) word = __builtin_bswap64(word);
    std::memcpy(p, &word, sizeof word);
  }

  struct State {
    std::uint64_t v0, v1, v2, v3;
  };

  static void round(State& s) noexcept {
    s.v0 += s.v1;
    s.v1 = std::rotl(s.v1, 13);
    s.v1 ^= s.v0;
    s.v0 = std::rotl(s.v0, 32);
    s.v2 += s.v3;
    s.v3 = std::rotl(s.v3, 16);
    s.v3 ^= s.v2;
    s.v0 += s.v3;
    s.v3 = std::rotl(s.v3, 21);
    s.v3 ^= s.v0;
    s.v2 += s.v1;
    s.v1 = std::rotl(s.v1, 17);
    s.v1 ^= s.v2;
    s.v2 = std::rotl(s.v2, 32);
  }

  /// The four finalization rounds.
  static void finalize_rounds(State& s) noexcept {
    for (int i = 0; i < 4; ++i) round(s);
  }

  static void absorb(State& s, std::uint64_t word) noexcept {
    s.v3 ^= word;
    round(s);  // the two compression rounds written out: a loop here measured ≈ 1 Ir a byte more
    round(s);
    s.v0 ^= word;
  }

  // Each works on a local copy of the state: the message is read through a byte pointer, which may alias
  // anything, so on the member itself the compiler would store and reload all four words around every load.
  void compress(std::uint64_t word) noexcept {
    State s = state_;
    absorb(s, word);
    state_ = s;
  }

  void compress_words(const std::uint8_t* p, std::size_t words) noexcept {
    State s = state_;
    for (std::size_t i = 0; i < words; ++i, p += 8) absorb(s, load_le(p));
    state_ = s;
  }

  /// The state after the last block: the bytes left over and the message length modulo 256 in the top byte.
  State finish_message() const noexcept {
    State s = state_;
    absorb(s, tail_ | (std::uint64_t{total_ & 0xff} << 56));
    return s;
  }

  State state_{};
  std::uint64_t tail_ = 0;   // the bytes of an unfinished word, little-endian
  std::size_t pending_ = 0;  // how many bytes tail_ holds (0–7)
  std::uint64_t total_ = 0;  // message bytes so far
};

/// SipHash-2-4 of `data` under `key`, 64-bit output, as in the reference implementation. Thread-safe.
inline std::uint64_t sip_hash(const SipKey& key, std::string_view data) noexcept {
  SipHash24 hash(key, SipHash24::Output::bits64);
  hash.update(data);
  return hash.finish64();
}

/// A map hasher holding its key; transparent, so maps of std::string are searched with a string_view.
struct SipHasher {
  using is_transparent = void;
  const SipKey* key = nullptr;
  std::size_t operator()(std::string_view data) const noexcept { return sip_hash(*key, data); }
};

}  // namespace authgate::stores::detail
