// Fuzz target: arbitrary text through the YAML loader and validate(). Must never crash, hang, recurse
// without bound or leak, whatever the nesting, aliases, anchors, encodings or sizes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/load_yaml.hpp"
#include "config/route_match.hpp"
#include "config/validate.hpp"

namespace {

// Well above any seed, below the loader's 4 MiB file limit so the parser itself is exercised.
constexpr std::size_t max_input = 64 * 1024;

void exercise_routes(const authgate::config::Config& config) {
  for (const auto& route : config.routes) {
    (void)authgate::config::request_matches(route.match, "a.example.org", "/admin/x", "GET");
    (void)authgate::config::request_matches(route.match, "", "/", "POST");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > max_input) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // A directory that does not exist: relative file names in the input resolve to nothing readable.
  auto config = authgate::config::load_yaml_string(text, "/nonexistent-authgate-fuzz/fuzz.yaml");
  if (!config) return 0;
  const auto problems = authgate::config::validate(*config);
  if (!authgate::config::has_errors(problems)) exercise_routes(*config);
  return 0;
}
