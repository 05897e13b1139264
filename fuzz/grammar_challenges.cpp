// libFuzzer: WWW-Authenticate parsing, as one field value and as several field lines (split at '\n').
// Invariants beyond "no crash": errors point inside the input, results respect the limits, param
// names are lower-case tokens, and a challenge never has both a token68 and params.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "authgate/grammar/parse.hpp"

namespace {

using namespace authgate::grammar;

void check(const ParseResult<std::vector<Challenge>>& result, std::size_t size, const Limits& limits) {
  if (!result) {
    if (result.error().offset > size && result.error().code != ParseErrc::too_long) __builtin_trap();
    return;
  }
  if (result->empty() || result->size() > limits.max_challenges) __builtin_trap();
  for (const Challenge& c : *result) {
    if (!is_token(c.scheme) || c.params.size() > limits.max_params) __builtin_trap();
    if (c.token68 && (!c.params.empty() || !is_token68(*c.token68))) __builtin_trap();
    for (const AuthParam& p : c.params) {
      if (!is_token(p.name)) __builtin_trap();
      for (char ch : p.name) {
        if (ch >= 'A' && ch <= 'Z') __builtin_trap();
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const Limits defaults;
  check(parse_challenges(input), size, defaults);
  const Limits tight{.max_field_bytes = 256, .max_challenges = 3, .max_params = 4};
  check(parse_challenges(input, tight), size, tight);

  std::vector<std::string_view> lines;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= size; ++i) {
    if (i == size || input[i] == '\n') {
      lines.push_back(input.substr(start, i - start));
      start = i + 1;
    }
  }
  // Joined with ", " the lines are one byte longer each than with '\n'.
  check(parse_challenges(lines), size + lines.size(), defaults);
  return 0;
}
