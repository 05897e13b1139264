// libFuzzer: parse → serialise → parse must give the same value, and the canonical form must be a fixed
// point, for challenges, credentials and Authentication-Info. Any mismatch traps.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "authgate/grammar/serialize.hpp"

namespace {

using namespace authgate::grammar;

// The canonical form of a field within the limits may grow (quotes, escapes): allow it room.
constexpr Limits roomy{.max_field_bytes = 1 << 20, .max_challenges = 1024, .max_params = 1024};

template <class T, class Parse>
void round_trip(const ParseResult<T>& first, Parse parse) {
  if (!first) return;
  const std::string canonical = to_field(*first);
  const auto second = parse(canonical);
  if (!second || *second != *first) __builtin_trap();
  if (to_field(*second) != canonical) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip(parse_challenges(input), [](std::string_view s) { return parse_challenges(s, roomy); });
  round_trip(parse_credentials(input), [](std::string_view s) { return parse_credentials(s, roomy); });
  round_trip(parse_auth_info(input), [](std::string_view s) { return parse_auth_info(s, roomy); });
  return 0;
}
