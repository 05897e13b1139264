// Request ids (see request_id.hpp).
#include "http/request_id.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <random>
#include <thread>

namespace authgate::gateway {
namespace {

bool id_character(char c) noexcept {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == ':' || c == '/' || c == '+' || c == '=';
}

bool lower_hex(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool all_zeros(std::string_view text) noexcept {
  return std::all_of(text.begin(), text.end(), [](char c) { return c == '0'; });
}

/// splitmix64: a well-mixed 64-bit value from a counter (a generator, not a secret: ids are not tokens).
std::uint64_t mix(std::uint64_t x) noexcept {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

std::uint64_t seed() noexcept {
  try {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32U) ^ device();
  } catch (...) {
    // No entropy source: ids need to be distinct, not secret; the clock and the thread will do.
    return mix(static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count()) ^
               std::hash<std::thread::id>{}(std::this_thread::get_id()));
  }
}

// Two lower-case hex digits per byte value: a 64-bit value is written a byte, not a nibble, at a time.
constexpr std::array<std::array<char, 2>, 256> hex_pairs = [] {
  constexpr char digits[] = "0123456789abcdef";
  std::array<std::array<char, 2>, 256> pairs{};
  for (unsigned b = 0; b < 256; ++b) pairs[b] = {digits[b >> 4U], digits[b & 0xFU]};
  return pairs;
}();

/// `value` as 16 lower-case hex digits, most significant first.
void put_hex(char* out, std::uint64_t value) noexcept {
  for (std::size_t byte = 8; byte-- > 0; value >>= 8U) {
    const auto& pair = hex_pairs[value & 0xFFU];
    out[2 * byte] = pair[0];
    out[2 * byte + 1] = pair[1];
  }
}

}  // namespace

RequestId::RequestId(std::string_view text) noexcept : size_(std::min(text.size(), max_request_id)) {
  std::copy_n(text.data(), size_, bytes_.data());
}

bool valid_request_id(std::string_view text) noexcept {
  return !text.empty() && text.size() <= max_request_id &&
         std::all_of(text.begin(), text.end(), id_character);
}

std::string_view trace_id_of(std::string_view traceparent) noexcept {
  // "00-" 32 hex "-" 16 hex "-" 2 hex: 55 characters exactly for version 00 (W3C Trace Context §3.2).
  if (traceparent.size() != 55 || !traceparent.starts_with("00-") || traceparent[35] != '-' ||
      traceparent[52] != '-') {
    return {};
  }
  const auto trace_id = traceparent.substr(3, 32);
  const auto parent_id = traceparent.substr(36, 16);
  const auto flags = traceparent.substr(53, 2);
  if (!lower_hex(trace_id) || !lower_hex(parent_id) || !lower_hex(flags)) return {};
  if (all_zeros(trace_id) || all_zeros(parent_id)) return {};
  return trace_id;
}

RequestId fresh_request_id() noexcept {
  thread_local const std::uint64_t base = seed();
  thread_local std::uint64_t counter = 0;
  const std::uint64_t high = mix(base ^ counter);
  const std::uint64_t low = mix(base + (++counter << 1U));
  RequestId id;
  put_hex(id.bytes_.data(), high);
  put_hex(id.bytes_.data() + 16, low);
  id.size_ = 32;
  return id;
}

RequestId choose_request_id(std::string_view x_request_id, std::string_view traceparent,
                            bool trusted) noexcept {
  if (trusted) {
    if (valid_request_id(x_request_id)) return RequestId(x_request_id);
    if (const auto trace_id = trace_id_of(traceparent); !trace_id.empty()) return RequestId(trace_id);
  }
  return fresh_request_id();
}

}  // namespace authgate::gateway
