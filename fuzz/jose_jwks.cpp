// JWK Set parsing on arbitrary input: never crashes, leaks or throws; every loaded key is internally
// consistent (a family, a usable algorithm or a documented reason it has none, no duplicate kids); every
// skipped key has a reason; and the set parses the same way twice.
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "authgate/jose/jwks.hpp"

namespace {

namespace jose = authgate::jose;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_key(const jose::Key& key) {
  const bool secret = key.type() == jose::KeyType::oct;
  check(secret ? key.pkey() == nullptr && !key.secret().empty()
               : key.pkey() != nullptr && key.secret().empty());
  check(secret == key.thumbprint().empty());
  if (key.alg()) check(jose::alg_fits(*key.alg(), key.type()));
  for (const jose::Alg alg : jose::all_algs()) {
    if (key.usable_for(alg)) check(jose::alg_fits(alg, key.type()));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto loaded = jose::parse_jwks(text);
  const auto again = jose::parse_jwks(text);
  check(loaded.has_value() == again.has_value());
  if (!loaded) {
    check(loaded.error().code == again.error().code);
    check(!loaded.error().message().empty());
    return 0;
  }
  check(loaded->keys != nullptr);
  check(loaded->keys->keys().size() == again->keys->keys().size());
  std::set<std::string> kids;
  for (const auto& key : loaded->keys->keys()) {
    check_key(*key);
    if (!key->kid().empty()) check(kids.insert(key->kid()).second);
    if (!key->kid().empty()) check(loaded->keys->find(key->kid()) == key.get());
  }
  for (const auto& skipped : loaded->skipped) check(!skipped.error.message().empty());
  (void)jose::key_from_jwk(text);
  (void)jose::key_from_pem(text);
  return 0;
}
