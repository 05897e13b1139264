// Checks of a forward-auth listener (docs/forward-auth.md): where the original request is read, whom
// to believe it from, and Envoy's path prefix.
#include "config/checker.hpp"
#include "config/syntax.hpp"
#include "http/original_request.hpp"
#include "net/destination_policy.hpp"

namespace authgate::config::detail {
namespace {

void check_path_prefix(Checker& check, const ForwardAuth& auth, const std::string& path) {
  const std::string& prefix = auth.path_prefix;
  if (prefix.empty()) return;
  if (auth.original_request != "envoy") {
    check.error(path + ".path_prefix", "path_prefix is Envoy's (original_request: envoy); " +
                                           auth.original_request + " names the original target in a field");
    return;
  }
  if (prefix.front() != '/' || prefix.find_first_of("?#% \t") != std::string::npos) {
    check.error(path + ".path_prefix", "expected a plain path such as /authz, got " + in_quotes(prefix));
  } else if (prefix.size() > 1 && prefix.back() == '/') {
    check.error(path + ".path_prefix", "without the trailing '/': did you mean " +
                                           in_quotes(prefix.substr(0, prefix.size() - 1)) +
                                           "? (Envoy appends the original path, which starts with '/')");
  } else if (prefix == "/") {
    check.error(path + ".path_prefix", "\"/\" is no prefix: leave path_prefix out");
  }
}

}  // namespace

void check_forward_auth(Checker& check, const ForwardAuth& auth, const std::string& path) {
  if (!gateway::original_style(auth.original_request)) {
    check.error(path + ".original_request",
                "expected x-forwarded (Traefik, Caddy, HAProxy), x-original (nginx auth_request) or envoy, "
                "got " +
                    in_quotes(auth.original_request));
  }
  if (auth.trusted_sources.empty()) {
    check.error(path + ".trusted_sources", "no trusted source: every decision would be refused");
  } else if (auto ranges = net::AddressRanges::parse(auth.trusted_sources); !ranges) {
    check.error(path + ".trusted_sources", ranges.error());
  }
  check_path_prefix(check, auth, path);
}

}  // namespace authgate::config::detail
