// RFC 7662 introspection responses on arbitrary input: never crashes, leaks or throws; a verdict is
// always one of Authenticated (non-empty user, cached no longer than the TTL), Rejected with
// error="invalid_token", or Unavailable; never Malformed (that is the client's fault, not the server's);
// and the same bytes always mean the same thing. The form encoder emits only its alphabet.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "schemes/bearer/introspection_detail.hpp"

namespace {

namespace detail = authgate::schemes::detail;

void check(bool condition) {
  if (!condition) std::abort();
}

std::size_t kind(const authgate::Outcome& outcome) { return outcome.index(); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto now = std::chrono::system_clock::time_point{std::chrono::seconds(1'700'000'000)};
  const std::chrono::milliseconds ttl{60'000};
  detail::IntrospectionPolicy policy;
  policy.groups_claim = "groups";
  const authgate::Outcome outcome = detail::interpret_introspection(text, policy, now, ttl);
  check(kind(outcome) == kind(detail::interpret_introspection(text, policy, now, ttl)));
  if (const auto* ok = std::get_if<authgate::Authenticated>(&outcome)) {
    check(!ok->identity->user.empty());
    check(ok->not_after && *ok->not_after <= now + ttl);
  } else if (const auto* rejected = std::get_if<authgate::Rejected>(&outcome)) {
    check(rejected->scheme == "Bearer");
    check(!rejected->challenge_params.empty() && rejected->challenge_params.front().value == "invalid_token");
  } else {
    check(std::holds_alternative<authgate::Unavailable>(outcome));
  }
  policy.issuer = "https://as.example";
  policy.audiences = {"api"};
  (void)detail::interpret_introspection(text, policy, now, ttl);
  for (const char c : detail::form_urlencode(text.substr(0, 256))) {
    check((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
          std::string_view("*-._+%").find(c) != std::string_view::npos);
  }
  return 0;
}
