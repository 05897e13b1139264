// CredentialMemo: the connection's last cached credentials (see credential_memo.hpp).
#include "gateway/authn/credential_memo.hpp"

#include <openssl/crypto.h>

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace authgate::gateway {

namespace detail {

namespace {

// The bytes of `a` and `b` that differ, OR-ed together: zero when equal. For n ≥ 8 (16 with SSE2) the last
// chunk overlaps the one before rather than going byte by byte; every byte is read whatever it holds.
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

bool equal_in_constant_time(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && difference_of(a.data(), b.data(), a.size()) == 0;
}

}  // namespace detail

CredentialMemo* CredentialMemo::under(const std::shared_ptr<const config::Snapshot>& snapshot) {
  // Owner order compares control blocks: ours stays allocated while this weak reference holds it, so a
  // later snapshot can never share it.
  if (snapshot_.owner_before(snapshot) || snapshot.owner_before(snapshot_)) {
    forget();
    snapshot_ = snapshot;
  }
  return this;
}

std::shared_ptr<const Identity> CredentialMemo::recall(const config::CompiledRealm& realm,
                                                       std::string_view field, std::uint64_t generation,
                                                       TimePoint now) {
  if (realm_ != &realm || !detail::equal_in_constant_time(field_, field)) return nullptr;
  if (generation_ != generation || now >= expires_) {
    forget();
    return nullptr;
  }
  return identity_;
}

void CredentialMemo::remember(const config::CompiledRealm& realm, std::string_view field,
                              std::uint64_t generation, TimePoint expires,
                              std::shared_ptr<const Identity> identity) {
  forget();
  if (field.size() > max_bytes || field.empty()) return;
  field_.assign(field);  // within the capacity after the first time: no allocation
  realm_ = &realm;
  generation_ = generation;
  expires_ = expires;
  identity_ = std::move(identity);
}

void CredentialMemo::forget() noexcept {
  // Every replacement comes through here, so no earlier, longer value's tail is left behind in the buffer.
  if (!field_.empty()) OPENSSL_cleanse(field_.data(), field_.size());
  field_.clear();
  realm_ = nullptr;
  identity_.reset();
}

}  // namespace authgate::gateway
