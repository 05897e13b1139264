// Compact JWS parsing and full token verification on arbitrary input against fixed key sets (RFC 7515
// Appendix A keys and the RFC 8037 Ed25519 key): never crashes, leaks or throws; a verified token always
// names a user; every failure has a name, a description and a Bearer reason.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "authgate/jose/verify.hpp"

namespace {

namespace jose = authgate::jose;

void check(bool condition) {
  if (!condition) std::abort();
}

// RFC 7515 A.2 (RSA), A.3 (P-256), A.4 (P-521) public keys and RFC 8037 A.4's Ed25519 key.
constexpr std::string_view public_keys = R"({"keys":[
 {"kty":"RSA","kid":"rsa","e":"AQAB","n":"ofgWCuLjybRlzo0tZWJjNiuSfb4p4fAkd_wWJcyQoTbji9k0l8W26mPddxHmfHQp-Vaw-4qPCJrcS2mJPMEzP1Pt0Bm4d4QlL-yRT-SFd2lZS-pCgNMsD1W_YpRPEwOWvG6b32690r2jZ47soMZo9wGzjb_7OMg0LOL-bSf63kpaSHSXndS5z5rexMdbBYUsLA9e-KXBdQOS-UTo7WTBEMa2R2CapHg665xsmtdVMTBQY4uDZlxvb3qCo5ZwKh9kG4LT6_I5IhlJH7aGhyxXFvUK-DWNmoudF8NAco9_h9iaGNj8q2ethFkMLs91kzk2PAcDTW9gb54h4FRWyuXpoQ"},
 {"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"},
 {"kty":"EC","crv":"P-521","x":"AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk","y":"ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"},
 {"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]})";
// RFC 7515 A.1 HMAC key.
constexpr std::string_view secret_keys =
    R"({"keys":[{"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow"}]})";

std::shared_ptr<const jose::KeySet> load(std::string_view jwks) {
  auto loaded = jose::parse_jwks(jwks);
  check(loaded && loaded->skipped.empty() && !loaded->keys->empty());
  return loaded->keys;
}

jose::VerifyPolicy make_policy() {
  jose::VerifyPolicy policy;
  policy.jws.algorithms.assign(jose::all_algs().begin(), jose::all_algs().end());
  policy.claims.issuer = "joe";
  policy.claims.user_claim = "iss";
  policy.claims.require_exp = false;
  return policy;
}

void verify(std::string_view token, const jose::KeySet& keys, const jose::VerifyPolicy& policy) {
  // Before RFC 7515 A.1's exp, so its example token verifies all the way to an identity.
  const std::chrono::system_clock::time_point now{std::chrono::seconds(1300819000)};
  const auto result = jose::verify_token(token, keys, policy, now);
  if (result) {
    check(!result->identity.user.empty());
    return;
  }
  check(jose::to_string(result.error()) != "unknown");
  check(!jose::describe(result.error()).empty());
  (void)jose::to_reason(result.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto asymmetric = load(public_keys);
  static const auto symmetric = load(secret_keys);
  static const auto policy = make_policy();
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  if (const auto parsed = jose::parse_compact(token)) {
    check(parsed->signing_input.size() < token.size());
    check(token.substr(0, parsed->signing_input.size()) == parsed->signing_input);
  }
  (void)jose::decode_unverified(token);
  verify(token, *asymmetric, policy);
  verify(token, *symmetric, policy);
  return 0;
}
