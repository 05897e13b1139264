// Micro-benchmarks of the grammar layer on the request path: Authorization values (Basic, Bearer,
// Digest), a 3-challenge WWW-Authenticate, base64 decoding and serialising. Figures: bench/README.md.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "authgate/grammar/base64.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/grammar/serialize.hpp"

namespace {

using namespace authgate::grammar;

constexpr std::string_view basic = "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==";  // RFC 7617 §2
constexpr std::string_view bearer_short = "Bearer mF_9.B5f-4.1JqM";       // RFC 6750 §2.1
constexpr std::string_view bearer =  // a small RS256 JWT: 180 characters of token68
    "Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.eyJzdWIiOiJhbGljZSIsImV4cCI6MTcwMDAwMDAwMH0."
    "c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJlLXNpZ25hdHVyZQ";
constexpr std::string_view digest =  // RFC 7616 §3.9.1, SHA-256
    R"(Digest username="Mufasa", realm="http-auth@example.org", uri="/dir/index.html", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", qop=auth, response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS")";
constexpr std::string_view three_challenges =
    R"(Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS", Bearer realm="example", error="invalid_token", error_description="The access token expired", Basic realm="WallyWorld", charset="UTF-8")";

void parse_credentials_field(benchmark::State& state, std::string_view field) {
  for (auto _ : state) {
    auto parsed = parse_credentials(field);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * field.size()));
}

void BM_ParseBasicCredentials(benchmark::State& state) { parse_credentials_field(state, basic); }
void BM_ParseBearerCredentials(benchmark::State& state) { parse_credentials_field(state, bearer_short); }
void BM_ParseBearerJwtCredentials(benchmark::State& state) { parse_credentials_field(state, bearer); }
void BM_ParseDigestCredentials(benchmark::State& state) { parse_credentials_field(state, digest); }

void BM_ParseThreeChallenges(benchmark::State& state) {
  for (auto _ : state) {
    auto parsed = parse_challenges(three_challenges);
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * three_challenges.size()));
}

void BM_DecodeBase64(benchmark::State& state) {
  const std::string text = encode_base64(std::string(static_cast<std::size_t>(state.range(0)), 'x'));
  for (auto _ : state) {
    auto decoded = decode_base64(text);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_DecodeBase64url(benchmark::State& state) {
  const std::string text = encode_base64url(std::string(static_cast<std::size_t>(state.range(0)), 'x'));
  for (auto _ : state) {
    auto decoded = decode_base64url(text);
    benchmark::DoNotOptimize(decoded);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}

void BM_SerialiseThreeChallenges(benchmark::State& state) {
  const auto challenges = parse_challenges(three_challenges).value();
  for (auto _ : state) {
    auto field = to_field(challenges);
    benchmark::DoNotOptimize(field);
  }
}

BENCHMARK(BM_ParseBasicCredentials);
BENCHMARK(BM_ParseBearerCredentials);
BENCHMARK(BM_ParseBearerJwtCredentials);
BENCHMARK(BM_ParseDigestCredentials);
BENCHMARK(BM_ParseThreeChallenges);
BENCHMARK(BM_DecodeBase64)->Arg(26)->Arg(1024);  // 26 bytes: "Aladdin:open sesame"-sized user-pass
BENCHMARK(BM_DecodeBase64url)->Arg(32)->Arg(1024);
BENCHMARK(BM_SerialiseThreeChallenges);

}  // namespace
