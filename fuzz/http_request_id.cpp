// Request ids (http/request_id.hpp) from arbitrary X-Request-Id and traceparent values. Never crashes;
// whatever comes in, the id chosen is well formed (it goes into a header and a log line).
#include <cstdint>
#include <string_view>

#include "http/request_id.hpp"

namespace {

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  const auto split = input.find('\n');
  const std::string_view id = input.substr(0, split);
  const std::string_view traceparent =
      split == std::string_view::npos ? std::string_view{} : input.substr(split + 1);
  for (const bool trusted : {true, false}) {
    const auto chosen = authgate::gateway::choose_request_id(id, traceparent, trusted);
    check(authgate::gateway::valid_request_id(chosen.view()));
    if (!trusted) check(chosen.view().size() == 32);
  }
  const auto trace_id = authgate::gateway::trace_id_of(traceparent);
  check(trace_id.empty() || trace_id.size() == 32);
  return 0;
}
