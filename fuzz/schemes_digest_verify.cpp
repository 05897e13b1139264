// libFuzzer: a whole Digest verification (RFC 7616) with attacker-chosen request target and credentials:
// the nonce MAC check, the uri match (Boost.URL), the store lookup, userhash, the hashes and the nonce
// count. Input: "<target>\n<Authorization value>"; the words NONCE and OPAQUE in it are replaced by a
// real fresh nonce and the realm's opaque, so the fuzzer reaches past the MAC. Never crashes or leaks,
// and never authenticates (it cannot compute a response), and a uri always names itself as a target.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "authgate/grammar/parse.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "schemes/digest/digest_uri.hpp"

namespace {

using namespace authgate;

void check(bool condition) {
  if (!condition) std::abort();
}

struct World {
  World() {
    using schemes::digest::Algorithm;
    const std::string line =
        "Mufasa:http-auth@example.org:SHA-256=" +
        schemes::digest::ha1(Algorithm::sha256, "Mufasa", "http-auth@example.org", "x") +
        ",MD5=" + schemes::digest::ha1(Algorithm::md5, "Mufasa", "http-auth@example.org", "x");
    schemes::DigestOptions options;
    options.realm = "http-auth@example.org";
    options.algorithms = {Algorithm::sha256, Algorithm::sha512_256_sess, Algorithm::md5};
    options.qop_auth_int = true;
    options.userhash = true;
    options.secret = std::string(32, 'f');
    scheme = schemes::make_digest_scheme(
        options, *stores::parse_digest_store(line, "fuzz", 1),
        stores::make_memory_state_store(std::make_shared<SystemClock>(), {.max_entries = 1000}));
    const auto challenge = scheme->challenge({std::chrono::system_clock::now(), false});
    nonce = challenge.params[3].value;
    opaque = challenge.params[4].value;
  }
  std::shared_ptr<const Scheme> scheme;
  std::string nonce, opaque;
};

void replace_all(std::string& text, std::string_view word, std::string_view by) {
  for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + by.size())) {
    text.replace(at, word.size(), by);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const World world;
  std::string input(reinterpret_cast<const char*>(data), size);
  const auto newline = input.find('\n');
  if (newline == std::string::npos) return 0;
  const std::string target = input.substr(0, newline);
  std::string field = input.substr(newline + 1);
  replace_all(field, "NONCE", world.nonce);
  replace_all(field, "OPAQUE", world.opaque);

  check(schemes::digest::uri_names_target(target, target, "www.example.org", false));
  (void)schemes::digest::uri_names_target(field, target, "www.example.org", true);

  auto credentials = grammar::parse_credentials(field);
  if (!credentials) return 0;
  const RequestFacts facts{"POST",
                           target,
                           "www.example.org",
                           "127.0.0.1",
                           false,
                           std::chrono::system_clock::now(),
                           std::string_view(field)};
  const Outcome outcome = world.scheme->authenticate(*credentials, facts);
  check(!std::holds_alternative<Authenticated>(outcome));
  return 0;
}
