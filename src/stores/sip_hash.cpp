// SipHash-2-4 through OpenSSL's EVP_MAC "SIPHASH": one fetched MAC per process, one context per thread.
#include "stores/sip_hash.hpp"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

namespace authgate::stores::detail {
namespace {

constexpr std::size_t output_bytes = 8;  // SipHash-2-4 with a 64-bit output; c/d-rounds keep their 2/4
static_assert(std::tuple_size_v<SipKey> == 16, "SipHash takes a 128-bit key");

/// Fetched once: a fetch walks the provider store and takes locks, too slow for every call.
EVP_MAC* siphash_mac() noexcept {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "SIPHASH", nullptr);
  return mac;
}

struct ContextFree {
  void operator()(EVP_MAC_CTX* ctx) const noexcept { EVP_MAC_CTX_free(ctx); }
};
using Context = std::unique_ptr<EVP_MAC_CTX, ContextFree>;

/// A context with the output size set, but no key yet. The size outlives every later EVP_MAC_init, so a
/// call passes only the key: passing the size again on every init measured 85 ns a call against 53.
Context new_context() noexcept {
  if (siphash_mac() == nullptr) return nullptr;
  Context ctx(EVP_MAC_CTX_new(siphash_mac()));
  std::size_t size = output_bytes;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_MAC_PARAM_SIZE, &size),
                               OSSL_PARAM_construct_end()};
  if (ctx == nullptr || EVP_MAC_CTX_set_params(ctx.get(), params) != 1) return nullptr;
  return ctx;
}

[[noreturn]] void fail(const char* what) noexcept {
  // A hash cannot report an error to the map that calls it, and a wrong or constant hash would put every
  // key in one bucket, which is the attack this hash exists to stop; so stop the process instead.
  std::fprintf(stderr, "authgate: SipHash through OpenSSL failed: %s\n", what);
  std::abort();
}

}  // namespace

bool sip_hash_available() noexcept { return siphash_mac() != nullptr; }

std::uint64_t sip_hash(const SipKey& key, std::string_view data) noexcept {
  // One context per thread, so no lock and no allocation per call. Every call sets the key again, because
  // one thread hashes for several stores (and a context copied with EVP_MAC_CTX_dup per call costs more).
  thread_local const Context ctx = new_context();
  if (ctx == nullptr) fail("no SIPHASH context (provider missing or out of memory)");
  std::array<unsigned char, output_bytes> out{};
  std::size_t written = 0;
  if (EVP_MAC_init(ctx.get(), key.data(), key.size(), nullptr) != 1 ||
      EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    fail("EVP_MAC_init/update/final");
  }
  // OpenSSL writes the 64-bit word little-endian, as the reference does; read it back the same way.
  std::uint64_t hash = 0;
  for (std::size_t i = 0; i < out.size(); ++i) hash |= std::uint64_t{out[i]} << (8 * i);
  return hash;
}

}  // namespace authgate::stores::detail
