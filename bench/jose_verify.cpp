// JWS verification rate per algorithm next to a raw OpenSSL EVP verify of the same key and message:
//   BM_RawEvp/<alg>          EVP_DigestVerifyInit + EVP_DigestVerify with a pre-parsed EVP_PKEY (HMAC():
//                            one-shot HMAC + CRYPTO_memcmp), the floor any verifier pays;
//   BM_RawEvpCopy/<alg>      the same verify from a context initialised once and duplicated per call
//                            (EVP_MD_CTX_copy_ex / EVP_MAC_CTX_dup): what jose::verify_signature does;
//   BM_VerifySignature/<alg> jose::verify_signature: length checks, raw r‖s → DER, same EVP calls;
//   BM_VerifyToken/<alg>     jose::verify_token: base64url, strict JSON header, key choice, signature,
//                            claims (exp/nbf/iat/iss/aud) and Identity — what the Bearer scheme does.
// Ratio = BM_RawEvp time / BM_Verify* time (target ≥ 0.9 for unique tokens). bench/README.md has figures.
#include <benchmark/benchmark.h>
#include <openssl/crypto.h>

#include <chrono>
#include <memory>
#include <string>

#include "../tests/support/jose_signer.hpp"
#include "authgate/jose/signature.hpp"
#include "authgate/jose/verify.hpp"

namespace {

namespace jose = authgate::jose;
namespace test = authgate::test;
using jose::Alg;

const long now_s = 1'700'000'000;
const std::string hmac_secret(64, 'k');

struct Fixture {
  Alg alg = Alg::rs256;
  EVP_PKEY* signer = nullptr;  // nullptr: HMAC
  std::string token, input, signature, der;
  std::shared_ptr<const jose::KeySet> keys;
  jose::VerifyPolicy policy;
  const EVP_MD* md = nullptr;
};

std::string claims() {
  return R"({"iss":"https://issuer.example","aud":"api","sub":"alice","scope":"read write","iat":)" +
         std::to_string(now_s - 10) + R"(,"exp":)" + std::to_string(now_s + 300) +
         R"(,"jti":"0123456789abcdef"})";
}

Fixture make(Alg alg, EVP_PKEY* signer) {
  Fixture f;
  f.alg = alg;
  f.signer = signer;
  const std::string header = test::header(jose::to_string(alg), R"(,"kid":"k1","typ":"at+jwt")");
  f.input = test::signing_input(header, claims());
  f.signature = signer ? test::sign_bytes(signer, alg, f.input) : test::hmac_bytes(hmac_secret, alg, f.input);
  f.der = signer && (alg == Alg::es256 || alg == Alg::es384 || alg == Alg::es512)
              ? test::sign_bytes(signer, alg, f.input, /*der=*/true)
              : f.signature;
  f.token = f.input + "." + test::b64(f.signature);
  auto key =
      signer ? jose::key_from_jwk(test::public_jwk(signer, "k1")) : jose::key_from_secret(hmac_secret, "k1");
  f.keys = std::make_shared<const jose::KeySet>(std::vector{*key});
  f.policy.jws.algorithms = {alg};
  f.policy.jws.typ = "at+jwt";
  f.policy.claims.issuer = "https://issuer.example";
  f.policy.claims.audiences = {"api"};
  f.md = test::test_digest(alg);
  return f;
}

const Fixture& fixture(Alg alg, int variant = 0) {
  const auto& k = test::test_keys();
  static const Fixture fixtures[] = {
      make(Alg::rs256, k.rsa.get()),   make(Alg::ps256, k.rsa.get()),  make(Alg::es256, k.p256.get()),
      make(Alg::es384, k.p384.get()),  make(Alg::es512, k.p521.get()), make(Alg::eddsa, k.ed25519.get()),
      make(Alg::eddsa, k.ed448.get()), make(Alg::hs256, nullptr),
  };
  for (const auto& f : fixtures) {
    if (f.alg == alg && variant-- == 0) return f;
  }
  std::abort();
}

bool raw_verify(const Fixture& f, EVP_PKEY* pkey) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = EVP_DigestVerifyInit(ctx, &pctx, f.md, nullptr, pkey) == 1;
  if (ok && f.alg == Alg::ps256) {
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
  }
  ok = ok && EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(f.der.data()), f.der.size(),
                              reinterpret_cast<const unsigned char*>(f.input.data()), f.input.size()) == 1;
  EVP_MD_CTX_free(ctx);
  return ok;
}

bool raw_hmac(const Fixture& f) {
  unsigned char tag[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(f.md, hmac_secret.data(), static_cast<int>(hmac_secret.size()),
       reinterpret_cast<const unsigned char*>(f.input.data()), f.input.size(), tag, &length);
  return length == f.signature.size() && CRYPTO_memcmp(tag, f.signature.data(), length) == 0;
}

void BM_RawEvp(benchmark::State& state, Alg alg, int variant) {
  const Fixture& f = fixture(alg, variant);
  EVP_PKEY* pkey = f.signer ? f.keys->keys()[0]->pkey() : nullptr;
  for (auto _ : state) {
    if (!(pkey ? raw_verify(f, pkey) : raw_hmac(f))) state.SkipWithError("raw verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_RawEvpCopy(benchmark::State& state, Alg alg, int variant) {
  const Fixture& f = fixture(alg, variant);
  const jose::Key& key = *f.keys->keys()[0];
  const auto* data = reinterpret_cast<const unsigned char*>(f.input.data());
  for (auto _ : state) {
    bool ok = false;
    if (const EVP_MD_CTX* tmpl = key.verify_template(alg)) {
      EVP_MD_CTX* ctx = EVP_MD_CTX_new();
      ok = EVP_MD_CTX_copy_ex(ctx, tmpl) == 1 &&
           EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(f.der.data()), f.der.size(), data,
                            f.input.size()) == 1;
      EVP_MD_CTX_free(ctx);
    } else {
      EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(key.mac_template(alg));
      unsigned char tag[EVP_MAX_MD_SIZE];
      std::size_t length = 0;
      ok = EVP_MAC_update(ctx, data, f.input.size()) == 1 &&
           EVP_MAC_final(ctx, tag, &length, sizeof tag) == 1 &&
           CRYPTO_memcmp(tag, f.signature.data(), length) == 0;
      EVP_MAC_CTX_free(ctx);
    }
    if (!ok) state.SkipWithError("raw verify failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifySignature(benchmark::State& state, Alg alg, int variant) {
  const Fixture& f = fixture(alg, variant);
  const jose::Key& key = *f.keys->keys()[0];
  for (auto _ : state) {
    if (!jose::verify_signature(alg, key, f.input, f.signature))
      state.SkipWithError("verify_signature failed");
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_VerifyToken(benchmark::State& state, Alg alg, int variant) {
  const Fixture& f = fixture(alg, variant);
  const std::chrono::system_clock::time_point now{std::chrono::seconds(now_s)};
  for (auto _ : state) {
    auto result = jose::verify_token(f.token, *f.keys, f.policy, now);
    if (!result) state.SkipWithError("verify_token failed");
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations());
}

#define AUTHGATE_JOSE_BENCH(name, alg, variant)              \
  BENCHMARK_CAPTURE(BM_RawEvp, name, alg, variant);          \
  BENCHMARK_CAPTURE(BM_RawEvpCopy, name, alg, variant);      \
  BENCHMARK_CAPTURE(BM_VerifySignature, name, alg, variant); \
  BENCHMARK_CAPTURE(BM_VerifyToken, name, alg, variant)

AUTHGATE_JOSE_BENCH(RS256_2048, Alg::rs256, 0);
AUTHGATE_JOSE_BENCH(PS256_2048, Alg::ps256, 0);
AUTHGATE_JOSE_BENCH(ES256, Alg::es256, 0);
AUTHGATE_JOSE_BENCH(ES384, Alg::es384, 0);
AUTHGATE_JOSE_BENCH(ES512, Alg::es512, 0);
AUTHGATE_JOSE_BENCH(EdDSA_Ed25519, Alg::eddsa, 0);
AUTHGATE_JOSE_BENCH(EdDSA_Ed448, Alg::eddsa, 1);
AUTHGATE_JOSE_BENCH(HS256, Alg::hs256, 0);

}  // namespace
