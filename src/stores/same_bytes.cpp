// Constant-time equality (see authgate/stores/same_bytes.hpp).
#include "authgate/stores/same_bytes.hpp"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace authgate::stores {
namespace {

// The bytes of `a` and `b` that differ, OR-ed together: zero when equal. For n ≥ 8 (16 with SSE2) the last
// chunk overlaps the one before rather than going byte by byte.
#if defined(__SSE2__)
__m128i load16(const char* p) noexcept { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
#endif

std::uint64_t load8(const char* p) noexcept {
  std::uint64_t word;
  std::memcpy(&word, p, sizeof word);
  return word;
}

std::uint64_t difference_of(const char* a, const char* b, std::size_t n) noexcept {
#if defined(__SSE2__)
  if (n >= 16) {
    __m128i difference = _mm_xor_si128(load16(a + n - 16), load16(b + n - 16));
    for (std::size_t i = 0; i + 16 <= n; i += 16) {
      difference = _mm_or_si128(difference, _mm_xor_si128(load16(a + i), load16(b + i)));
    }
    return static_cast<std::uint64_t>(_mm_cvtsi128_si64(difference)) |
           static_cast<std::uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(difference, difference)));
  }
#endif
  if (n >= 8) {
    std::uint64_t difference = load8(a + n - 8) ^ load8(b + n - 8);
    for (std::size_t i = 0; i + 8 <= n; i += 8) difference |= load8(a + i) ^ load8(b + i);
    return difference;
  }
  std::uint64_t difference = 0;
  for (std::size_t i = 0; i < n; ++i) difference |= static_cast<std::uint8_t>(a[i] ^ b[i]);
  return difference;
}

}  // namespace

bool same_bytes(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && difference_of(a.data(), b.data(), a.size()) == 0;
}

}  // namespace authgate::stores
