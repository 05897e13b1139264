// What remote key sources answer, on arbitrary input: Cache-Control max-age, OpenID Connect discovery
// documents and the URLs the gateway fetches. Never crashes or throws; max-age stays within
// RFC 9111's 2^31 cap; an accepted discovery document names the expected issuer's non-empty jwks_uri;
// an accepted URL has a host, an origin-form target and no byte that could split a request line, and
// plain http only to loopback.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "net/fetch_url.hpp"
#include "net/key_source_docs.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

bool has_break(std::string_view s) {
  for (const char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  namespace net = authgate::net;
  if (const auto age = net::cache_max_age(text)) check(age->count() >= 0 && age->count() <= (1LL << 31));
  const auto discovered = net::parse_discovery(text, "https://idp.example");
  if (discovered) check(!discovered->empty());
  check(discovered.has_value() == net::parse_discovery(text, "https://idp.example").has_value());
  if (const auto url = net::parse_fetch_url(text)) {
    check(!url->host.empty() && url->port != 0);
    check(!url->target.empty() && url->target.front() == '/');
    check(!has_break(url->target) && !has_break(url->authority));
    if (!url->https) check(net::is_loopback_host(url->host));
  }
  return 0;
}
