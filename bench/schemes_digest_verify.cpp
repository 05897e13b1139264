// One Digest verification (RFC 7616, SHA-256, qop=auth) with the HA1 read from the store — Digest's
// "cached HA1": no password hash runs — next to one raw SHA-256 of the bytes the response hashes, and the
// parts a verification adds to that hash:
//   BM_DigestVerify          parse_credentials + DigestScheme::authenticate() → Authenticated, a fresh nc
//                            per iteration on one nonce (the replay check passes); the library's entry,
//                            which waits on a std::promise
//   BM_DigestVerifyAsync     the same through authenticate_async() completing inline: what the gateway runs
//   BM_RawSha256             digest::hash_hex over HA1:nonce:nc:cnonce:qop:HA2, the response's ~200 bytes
//   BM_RawSha256Evp          EVP_Digest of the same bytes into binary (digest fetched once)
//   BM_RawSha256KeptContext  init/update/final on one context that is never reset: the EVP floor
//   BM_ParseCredentials      grammar::parse_credentials of the Authorization value alone
//   BM_ParseDigestCredentials  the same plus parse_digest_credentials (typed, checked fields)
//   BM_NonceCheck, BM_Ha2, BM_Response, BM_UriNamesTarget, BM_StateStoreNonce  the parts, one by one
// bench/README.md ("Micro-benchmarks: Digest") has the figures.
#include <benchmark/benchmark.h>
#include <openssl/evp.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "authgate/grammar/parse.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "schemes/digest/digest_credentials.hpp"
#include "schemes/digest/digest_nonce.hpp"
#include "schemes/digest/digest_uri.hpp"

namespace {

using namespace authgate;
using schemes::digest::Algorithm;
using schemes::digest::Qop;
namespace digest = schemes::digest;

constexpr std::string_view realm = "bench";
constexpr std::string_view user = "bench";
constexpr std::string_view uri = "/digest/sha256";
constexpr std::string_view cnonce = "0a4f113b5c6d7e8f";
constexpr std::size_t batch = 512;  // Authorization values made per pause of the timer (~200 KiB)
const std::string secret(32, 's');
const std::string ha1 = digest::ha1(Algorithm::sha256, user, realm, "bench-password");

/// The scheme of one realm (SHA-256, qop=auth) over a one-user store and an in-memory state store.
struct Realm {
  std::shared_ptr<stores::StateStore> state =
      stores::make_memory_state_store(std::make_shared<const SystemClock>());
  std::shared_ptr<const Scheme> scheme;

  Realm() {
    const std::string line = std::string(user) + ":" + std::string(realm) + ":SHA-256=" + ha1 + "\n";
    auto store = stores::parse_digest_store(line, "bench.htdigest", 1);
    if (!store) throw std::runtime_error("bench: the digest store did not parse");
    schemes::DigestOptions options;
    options.realm = realm;
    options.secret = secret;
    scheme = schemes::make_digest_scheme(std::move(options), *store, state);
  }
};

/// A client of one nonce (from the scheme's own challenge) that counts nc up from 1, as curl does.
class Client {
 public:
  explicit Client(const Scheme& scheme) {
    const auto challenges = scheme.challenges(ChallengeContext{std::chrono::system_clock::now(), false});
    for (const auto& p : challenges.front().params) {
      if (p.name == "nonce") nonce_ = p.value;
      if (p.name == "opaque") opaque_ = p.value;
    }
  }

  /// The next nc as 8 hex digits.
  std::string next_nc() {
    char text[9];
    std::snprintf(text, sizeof text, "%08x", ++nc_);
    return text;
  }

  /// The Authorization value of the next request (RFC 7616 §3.4).
  std::string next() {
    const std::string nc = next_nc();
    const std::string response = digest::response(Algorithm::sha256, ha1, nonce_, nc, cnonce, Qop::auth,
                                                  digest::ha2(Algorithm::sha256, "GET", uri));
    return "Digest username=\"" + std::string(user) + "\", realm=\"" + std::string(realm) + "\", nonce=\"" +
           nonce_ + "\", uri=\"" + std::string(uri) + "\", algorithm=SHA-256, qop=auth, cnonce=\"" +
           std::string(cnonce) + "\", nc=" + nc + ", response=\"" + response + "\", opaque=\"" + opaque_ +
           "\"";
  }

  /// The bytes the response hashes: HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2 (RFC 7616 §3.4.1).
  std::string response_input() const {
    return ha1 + ":" + nonce_ + ":00000001:" + std::string(cnonce) +
           ":auth:" + digest::ha2(Algorithm::sha256, "GET", uri);
  }

  const std::string& nonce() const { return nonce_; }

 private:
  std::string nonce_, opaque_;
  std::uint32_t nc_ = 0;
};

RequestFacts facts() {
  return RequestFacts{"GET", uri, "127.0.0.1:8080", "127.0.0.1", false, std::chrono::system_clock::now(), {}};
}

/// Runs `verify(credentials, facts)` once per iteration on a fresh Authorization value; the values are
/// made `batch` at a time with the timer paused, so the client's own hashes are not counted.
template <class Verify>
void run_verifications(benchmark::State& state, Client& client, Verify verify) {
  std::vector<std::string> values;
  std::size_t next = batch;
  RequestFacts request = facts();
  for (auto _ : state) {
    if (next == batch) {
      state.PauseTiming();
      values.clear();
      for (std::size_t i = 0; i < batch; ++i) values.push_back(client.next());
      request = facts();
      next = 0;
      state.ResumeTiming();
    }
    auto credentials = grammar::parse_credentials(values[next++]);
    if (!credentials || !std::holds_alternative<Authenticated>(verify(*credentials, request))) {
      state.SkipWithError("a fresh response was not Authenticated");
      break;
    }
  }
}

void BM_DigestVerify(benchmark::State& state) {
  Realm r;
  Client client(*r.scheme);
  run_verifications(state, client, [&](const grammar::Credentials& c, const RequestFacts& request) {
    return r.scheme->authenticate(c, request);
  });
}
BENCHMARK(BM_DigestVerify);

void BM_DigestVerifyAsync(benchmark::State& state) {
  Realm r;
  Client client(*r.scheme);
  const boost::asio::any_io_executor none;
  run_verifications(state, client, [&](const grammar::Credentials& c, const RequestFacts& request) {
    Outcome outcome = NoCredentials{};
    r.scheme->authenticate_async(c, request, none, [&outcome](Outcome o) { outcome = std::move(o); });
    return outcome;
  });
}
BENCHMARK(BM_DigestVerifyAsync);

void BM_RawSha256(benchmark::State& state) {
  Realm r;
  const std::string input = Client(*r.scheme).response_input();
  for (auto _ : state) benchmark::DoNotOptimize(digest::hash_hex(Algorithm::sha256, input));
  state.SetLabel(std::to_string(input.size()) + " bytes");
}
BENCHMARK(BM_RawSha256);

/// EVP_Digest with a digest fetched once: a context made and freed per call inside OpenSSL.
void BM_RawSha256Evp(benchmark::State& state) {
  Realm r;
  const std::string input = Client(*r.scheme).response_input();
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  for (auto _ : state) {
    EVP_Digest(input.data(), input.size(), out, &size, md, nullptr);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_free(md);
}
BENCHMARK(BM_RawSha256Evp);

/// One context kept initialised across calls (no EVP_MD_CTX_reset, so OpenSSL reuses its hash state):
/// the floor for one SHA-256 of these bytes through EVP.
void BM_RawSha256KeptContext(benchmark::State& state) {
  Realm r;
  const std::string input = Client(*r.scheme).response_input();
  EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  for (auto _ : state) {
    EVP_DigestInit_ex2(ctx, md, nullptr);
    EVP_DigestUpdate(ctx, input.data(), input.size());
    EVP_DigestFinal_ex(ctx, out, &size);
    benchmark::DoNotOptimize(out);
  }
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(md);
}
BENCHMARK(BM_RawSha256KeptContext);

void BM_ParseCredentials(benchmark::State& state) {
  Realm r;
  const std::string value = Client(*r.scheme).next();
  for (auto _ : state) benchmark::DoNotOptimize(grammar::parse_credentials(value));
  state.SetLabel(std::to_string(value.size()) + " bytes");
}
BENCHMARK(BM_ParseCredentials);

void BM_ParseDigestCredentials(benchmark::State& state) {
  Realm r;
  const std::string value = Client(*r.scheme).next();
  for (auto _ : state) {
    auto credentials = grammar::parse_credentials(value);
    benchmark::DoNotOptimize(digest::parse_digest_credentials(*credentials));
  }
}
BENCHMARK(BM_ParseDigestCredentials);

void BM_NonceCheck(benchmark::State& state) {
  const digest::NonceAuthority nonces(secret, std::string(realm), std::chrono::seconds(300));
  const auto now = std::chrono::system_clock::now();
  const std::string nonce = nonces.issue(now);
  for (auto _ : state) benchmark::DoNotOptimize(nonces.check(nonce, now));
}
BENCHMARK(BM_NonceCheck);

void BM_Ha2(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(digest::ha2(Algorithm::sha256, "GET", uri));
}
BENCHMARK(BM_Ha2);

void BM_Response(benchmark::State& state) {
  Realm r;
  const Client client(*r.scheme);
  const std::string ha2 = digest::ha2(Algorithm::sha256, "GET", uri);
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        digest::response(Algorithm::sha256, ha1, client.nonce(), "00000001", cnonce, Qop::auth, ha2));
  }
}
BENCHMARK(BM_Response);

void BM_UriNamesTarget(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(digest::uri_names_target(uri, uri, "127.0.0.1:8080", false));
}
BENCHMARK(BM_UriNamesTarget);

/// What the scheme asks of the state store per verified request: issue_nonce (a no-op for a known nonce)
/// and use_nonce with the next nc.
void BM_StateStoreNonce(benchmark::State& state) {
  auto store = stores::make_memory_state_store(std::make_shared<const SystemClock>());
  Realm r;
  const std::string nonce = Client(*r.scheme).nonce();
  std::uint32_t nc = 0;
  for (auto _ : state) {
    bool fresh = false;
    store->issue_nonce(nonce, std::chrono::minutes(5), [](stores::StateResult<void>) {});
    store->use_nonce(nonce, ++nc, [&fresh](stores::StateResult<stores::NonceUse> use) {
      fresh = use && *use == stores::NonceUse::fresh;
    });
    if (!fresh) {
      state.SkipWithError("use_nonce did not answer fresh");
      break;
    }
  }
}
BENCHMARK(BM_StateStoreNonce);

}  // namespace
