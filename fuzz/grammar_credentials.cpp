// libFuzzer: Authorization parsing. Errors point inside the input; a result is one scheme with a token68
// or params (never both), within the limits.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "authgate/grammar/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authgate::grammar;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  for (const Limits& limits :
       {Limits{}, Limits{.max_field_bytes = 128, .max_challenges = 1, .max_params = 3}}) {
    const auto result = parse_credentials(input, limits);
    if (!result) {
      if (result.error().offset > size) __builtin_trap();
      if (result.error().message().empty()) __builtin_trap();
      continue;
    }
    if (!is_token(result->scheme) || result->params.size() > limits.max_params) __builtin_trap();
    if (result->token68 && (!result->params.empty() || !is_token68(*result->token68))) __builtin_trap();
    if (input.size() > limits.max_field_bytes) __builtin_trap();
  }
  return 0;
}
