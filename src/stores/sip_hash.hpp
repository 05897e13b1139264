#pragma once
// Internal: SipHash-2-4 (Aumasson and Bernstein, 2012), a keyed hash for maps whose keys an attacker
// chooses and, with its 128-bit output, the verified-credential cache's keyed PRF. With an unkeyed hash
// (std::hash) a client could pick user names that all land in one bucket or one shard; without the key it
// cannot tell where a name lands.
//
// Written here rather than called through OpenSSL's EVP_MAC "SIPHASH": the algorithm is the same, and
// tests/unit/stores/sip_hash_test.cpp checks every output against OpenSSL's for every message length to
// 300 in every split into pieces, both output sizes. But each EVP_MAC init/update/final goes through
// parameter lookup and provider dispatch that cost ≈ 1,000 instructions a key, four times the hashing of a
// Basic credential (bench/README.md), on every authenticated request.

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

  SipHash24(const SipKey& key, Output output) noexcept
      : v0_(0x736f6d6570736575ULL),
        v1_(0x646f72616e646f6dULL),
        v2_(0x6c7967656e657261ULL),
        v3_(0x7465646279746573ULL) {
    const std::uint64_t k0 = load_le(key.data());
    const std::uint64_t k1 = load_le(key.data() + 8);
    v0_ ^= k0;
    v1_ ^= k1;
    v2_ ^= k0;
    v3_ ^= k1;
    if (output == Output::bits128) v1_ ^= 0xee;
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
    finish_message();
    v2_ ^= 0xff;
    rounds(4);
    return v0_ ^ v1_ ^ v2_ ^ v3_;
  }

  /// The 128-bit output as 16 bytes, each 64-bit half little-endian; for Output::bits128. Ends the hash.
  std::array<std::uint8_t, 16> finish128() noexcept {
    finish_message();
    v2_ ^= 0xee;
    rounds(4);
    const std::uint64_t low = v0_ ^ v1_ ^ v2_ ^ v3_;
    v1_ ^= 0xdd;
    rounds(4);
    const std::uint64_t high = v0_ ^ v1_ ^ v2_ ^ v3_;
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

  // The state goes through locals: the message is read through a byte pointer, which may alias anything,
  // so with the members the compiler would store and reload all four words around every load.
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

  void rounds(int count) noexcept {
    State s{v0_, v1_, v2_, v3_};
    for (int i = 0; i < count; ++i) round(s);
    v0_ = s.v0;
    v1_ = s.v1;
    v2_ = s.v2;
    v3_ = s.v3;
  }

  void compress(std::uint64_t word) noexcept {
    v3_ ^= word;
    rounds(2);
    v0_ ^= word;
  }

  void compress_words(const std::uint8_t* p, std::size_t words) noexcept {
    State s{v0_, v1_, v2_, v3_};
    for (std::size_t i = 0; i < words; ++i, p += 8) {
      const std::uint64_t word = load_le(p);
      s.v3 ^= word;
      round(s);
      round(s);
      s.v0 ^= word;
    }
    v0_ = s.v0;
    v1_ = s.v1;
    v2_ = s.v2;
    v3_ = s.v3;
  }

  /// The last block: the bytes left over and the message length modulo 256 in the top byte.
  void finish_message() noexcept { compress(tail_ | (std::uint64_t{total_ & 0xff} << 56)); }

  std::uint64_t v0_, v1_, v2_, v3_;
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
