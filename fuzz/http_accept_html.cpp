// The Accept field read for HTML (http/accept_html.hpp), on arbitrary bytes. Never crashes, hangs or
// reads out of bounds; the answer does not depend on anything after the element limit.
#include <cstdint>
#include <string>
#include <string_view>

#include "http/accept_html.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view accept{reinterpret_cast<const char*>(data), size};
  const bool html = authgate::gateway::prefers_html(accept);
  // Wildcards added at the end never turn plain text into HTML, nor HTML into plain text.
  const std::string with_wildcard = std::string(accept) + ", */*;q=0.1";
  if (accept.find(',') == std::string_view::npos && !accept.empty()) {
    check(authgate::gateway::prefers_html(with_wildcard) == html);
  }
  return 0;
}
