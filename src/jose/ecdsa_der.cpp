// Raw r‖s → DER SEQUENCE { INTEGER r, INTEGER s } (X.690 §8.3: minimal two's-complement, so leading
// zero bytes are dropped and one 0x00 is prepended when the top bit is set).
#include "jose/ecdsa_der.hpp"

namespace authgate::jose::detail {
namespace {

constexpr std::size_t max_half = 66;  // P-521 coordinate bytes

// Writes INTEGER for the unsigned big-endian `value` at `out`; returns bytes written, 0 for zero.
std::size_t put_integer(std::span<const unsigned char> value, unsigned char* out) noexcept {
  std::size_t skip = 0;
  while (skip < value.size() && value[skip] == 0) ++skip;
  if (skip == value.size()) return 0;
  const bool pad = (value[skip] & 0x80) != 0;
  const std::size_t length = value.size() - skip + (pad ? 1 : 0);
  std::size_t at = 0;
  out[at++] = 0x02;
  out[at++] = static_cast<unsigned char>(length);
  if (pad) out[at++] = 0x00;
  for (std::size_t i = skip; i < value.size(); ++i) out[at++] = value[i];
  return at;
}

}  // namespace

std::size_t p1363_to_der(std::span<const unsigned char> raw,
                         std::span<unsigned char, max_der_signature> out) noexcept {
  if (raw.empty() || raw.size() % 2 != 0 || raw.size() / 2 > max_half) return 0;
  const std::size_t half = raw.size() / 2;
  unsigned char body[2 * (max_half + 3)];
  const std::size_t r_length = put_integer(raw.first(half), body);
  if (r_length == 0) return 0;
  const std::size_t s_length = put_integer(raw.subspan(half), body + r_length);
  if (s_length == 0) return 0;
  const std::size_t body_length = r_length + s_length;
  std::size_t at = 0;
  out[at++] = 0x30;
  if (body_length > 127) out[at++] = 0x81;  // long form: body_length ≤ 138 fits in one byte
  out[at++] = static_cast<unsigned char>(body_length);
  for (std::size_t i = 0; i < body_length; ++i) out[at++] = body[i];
  return at;
}

}  // namespace authgate::jose::detail
