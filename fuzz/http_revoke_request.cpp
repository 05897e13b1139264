// The body of POST /revocations (http/revoke_request.hpp), on arbitrary bytes. Never crashes or leaks; an
// accepted request names a printable value within the limit and ends after now, within ten years.
#include <chrono>
#include <cstdint>
#include <string_view>

#include "http/revoke_request.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view body{reinterpret_cast<const char*>(data), size};
  const auto now = std::chrono::system_clock::time_point(std::chrono::seconds(1'800'000'000));
  const auto parsed = authgate::gateway::parse_revoke_request(body, now);
  if (!parsed) {
    check(!parsed.error().empty());
    return 0;
  }
  check(!parsed->value.empty() && parsed->value.size() <= authgate::gateway::max_revoked_value_bytes);
  for (const char c : parsed->value) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  check(parsed->until > now && parsed->until - now <= authgate::gateway::max_revocation);
  return 0;
}
