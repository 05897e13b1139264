// libFuzzer: strict base64 / base64url. Strictness means exactly one text per byte string: whatever
// decodes must re-encode to the same text, and whatever is encoded must decode back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "authgate/grammar/base64.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authgate::grammar;
  const std::string_view input(reinterpret_cast<const char*>(data), size);

  if (const auto decoded = decode_base64(input)) {
    if (encode_base64(*decoded) != input) __builtin_trap();
  } else if (decoded.error().offset > size) {
    __builtin_trap();
  }
  if (const auto decoded = decode_base64url(input)) {
    if (encode_base64url(*decoded) != input) __builtin_trap();
  } else if (decoded.error().offset > size) {
    __builtin_trap();
  }

  const auto std_round = decode_base64(encode_base64(input));
  if (!std_round || *std_round != input) __builtin_trap();
  const auto url_round = decode_base64url(encode_base64url(input));
  if (!url_round || *url_round != input) __builtin_trap();
  return 0;
}
