// A JSON string literal for the access log (grammar/json_text.hpp), on arbitrary bytes: never writes past
// its bound, and what it writes is one quoted line of well-formed UTF-8 with no raw control character,
// no unescaped quote and no U+2028/U+2029; a value that needs no escaping comes out as it went in.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/json_text.hpp"
#include "grammar/utf8.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

void check_literal(std::string_view out) {
  check(out.size() >= 2 && out.front() == '"' && out.back() == '"');
  check(!authgate::grammar::first_invalid_utf8(out).has_value());
  const std::string_view inner = out.substr(1, out.size() - 2);
  for (std::size_t i = 0; i < inner.size(); ++i) {
    const auto c = static_cast<unsigned char>(inner[i]);
    check(c >= 0x20 && c != 0x7f);
    if (c == '\\') {
      check(i + 1 < inner.size());
      ++i;  // the escaped character, never a closing quote
      continue;
    }
    check(c != '"');
    if (c == 0xc2 && i + 1 < inner.size()) check(static_cast<unsigned char>(inner[i + 1]) >= 0xa0);  // no C1
    check(inner.substr(i, 3) != "\xe2\x80\xa8" && inner.substr(i, 3) != "\xe2\x80\xa9");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace authgate::grammar;
  const std::string_view value{reinterpret_cast<const char*>(data), size};
  constexpr std::size_t guard = 8;
  std::vector<char> buffer(json_string_bound(size) + guard, '#');
  char* const end = write_json_string(buffer.data(), value);
  const auto written = static_cast<std::size_t>(end - buffer.data());
  check(written <= json_string_bound(size));
  for (std::size_t i = json_string_bound(size); i < buffer.size(); ++i) check(buffer[i] == '#');
  const std::string_view out{buffer.data(), written};
  check_literal(out);
  if (plain_json_prefix(value) == size) check(out.substr(1, size) == value);
  return 0;
}
