// What a cached Basic request costs next to an uncached one: the HMAC key, a warm lookup, and the
// password hashes the cache saves (with raw crypt_rn beside our verify_password, to show our overhead).
#include <benchmark/benchmark.h>
#include <crypt.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "authgate/stores/password_hash.hpp"
#include "authgate/stores/verify_cache.hpp"

namespace {

using authgate::Identity;
using authgate::stores::VerifyCache;

const std::string credentials = "YWxpY2U6Y29ycmVjdCBob3JzZSBiYXR0ZXJ5IHN0YXBsZQ==";  // alice:correct horse…
const auto now = std::chrono::system_clock::now();

/// A cache holding `n` entries under keys of distinct credentials.
struct FilledCache {
  VerifyCache cache;
  std::vector<VerifyCache::Key> keys;
  explicit FilledCache(std::size_t n) : cache(VerifyCache::Options{n, 16}) {
    const auto identity = std::make_shared<const Identity>(Identity{"alice", {"staff"}, "Basic", {}, {}});
    for (std::size_t i = 0; i < n; ++i) {
      keys.push_back(cache.key_for("Basic realm=r", credentials + std::to_string(i)));
      cache.insert(keys.back(), identity, 1, now + std::chrono::minutes(5));
    }
  }
};

void BM_KeyFor(benchmark::State& state) {
  VerifyCache cache;
  for (auto _ : state) benchmark::DoNotOptimize(cache.key_for("Basic realm=r", credentials));
}
BENCHMARK(BM_KeyFor)->ThreadRange(1, 2);

void BM_FindWarmHit(benchmark::State& state) {
  static FilledCache filled(10000);
  std::size_t i = static_cast<std::size_t>(state.thread_index()) * 4999;
  for (auto _ : state) {
    benchmark::DoNotOptimize(filled.cache.find(filled.keys[i % filled.keys.size()], 1, now));
    i += 7;
  }
}
BENCHMARK(BM_FindWarmHit)->ThreadRange(1, 2);

void BM_KeyForPlusFindHit(benchmark::State& state) {
  static FilledCache filled(10000);
  for (auto _ : state) {
    const auto key = filled.cache.key_for("Basic realm=r", credentials + "42");
    benchmark::DoNotOptimize(filled.cache.find(key, 1, now));
  }
}
BENCHMARK(BM_KeyForPlusFindHit);

void BM_FindMiss(benchmark::State& state) {
  static FilledCache filled(10000);
  const auto key = filled.cache.key_for("Basic realm=r", "not cached");
  for (auto _ : state) benchmark::DoNotOptimize(filled.cache.find(key, 1, now));
}
BENCHMARK(BM_FindMiss);

void BM_InsertWithEviction(benchmark::State& state) {
  FilledCache filled(10000);
  const auto identity = std::make_shared<const Identity>(Identity{"bob", {}, "Basic", {}, {}});
  std::size_t i = 0;
  for (auto _ : state) {
    auto key = filled.keys[i++ % filled.keys.size()];
    key[0] ^= 0x5a;  // a new key in the same shard as an old one (the shard is read from bytes 8 to 15)
    filled.cache.insert(key, identity, 1, now + std::chrono::minutes(5));
  }
}
BENCHMARK(BM_InsertWithEviction);

void BM_VerifyPassword(benchmark::State& state, std::string hash, std::string password) {
  for (auto _ : state) benchmark::DoNotOptimize(authgate::stores::verify_password(password, hash));
}

void BM_RawCryptRn(benchmark::State& state, std::string hash, std::string password) {
  auto data = std::make_unique<crypt_data>();
  for (auto _ : state)
    benchmark::DoNotOptimize(crypt_rn(password.c_str(), hash.c_str(), data.get(), sizeof *data));
}

const std::string bcrypt5 = "$2y$05$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS";  // "bcrypt-pw"
const std::string bcrypt12 = *authgate::stores::hash_bcrypt("bcrypt-pw", 12);
const std::string argon2id = *authgate::stores::hash_argon2id("argon-pw");

BENCHMARK_CAPTURE(BM_VerifyPassword, bcrypt_cost5, bcrypt5, "bcrypt-pw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_RawCryptRn, bcrypt_cost5, bcrypt5, "bcrypt-pw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VerifyPassword, bcrypt_cost12, bcrypt12, "bcrypt-pw")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(8);
BENCHMARK_CAPTURE(BM_RawCryptRn, bcrypt_cost12, bcrypt12, "bcrypt-pw")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(8);
BENCHMARK_CAPTURE(BM_VerifyPassword, argon2id_64MiB_t3, argon2id, "argon-pw")->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VerifyPassword, sha512_crypt_5000,
                  "$6$JGvTeUuEKJQKf0sb$fOw3/ijk4PVXYxECkZMK/TxPBtdVFUwzlTvG0B7V7gBV/8SBWb4hQMeeiaWg0BFFEX1t0/"
                  "hqOal1V954g7HHs1",
                  "sha512-pw")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_VerifyPassword, yescrypt_default,
                  "$y$j9T$YpesCajLY.BeP/76xCZyR/$b/i9MTLp.9fa2FDEHFZbcn3.qnpd3ic5K6/PuJyd5m1", "yescrypt-pw")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_VerifyPassword, apr1, "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/", "apr1-pw")
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(BM_VerifyPassword, sha1, "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=", "sha1-pw")
    ->Unit(benchmark::kMicrosecond);

}  // namespace
