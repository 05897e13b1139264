// libFuzzer: Authentication-Info parsing. Errors point inside the input; names are unique, lower-case
// tokens; the count respects the limit.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "authgate/grammar/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authgate::grammar;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const Limits& limits :
       {Limits{}, Limits{.max_field_bytes = 128, .max_challenges = 1, .max_params = 3}}) {
    const auto result = parse_auth_info(input, limits);
    if (!result) {
      if (result.error().offset > size) __builtin_trap();
      continue;
    }
    if (result->size() > limits.max_params) __builtin_trap();
    for (std::size_t i = 0; i < result->size(); ++i) {
      if (!is_token((*result)[i].name)) __builtin_trap();
      for (std::size_t j = 0; j < i; ++j) {
        if (iequals((*result)[i].name, (*result)[j].name)) __builtin_trap();
      }
    }
  }
  return 0;
}
