// POST /revocations: the admin token check and the deny call (see admin_revoke.hpp).
#include "gateway/ops/admin_revoke.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <memory>
#include <utility>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using TimePoint = std::chrono::system_clock::time_point;

std::array<unsigned char, 32> sha256(std::string_view bytes) noexcept {
  std::array<unsigned char, 32> digest{};
  unsigned int size = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest.data(), &size, EVP_sha256(), nullptr) != 1)
    digest.fill(0);
  return digest;
}

}  // namespace

bool carries_admin_token(std::string_view authorization, std::string_view token) noexcept {
  constexpr std::string_view prefix = "Bearer ";
  if (token.empty() || authorization.size() <= prefix.size()) return false;
  bool scheme_ok = true;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    const char c = authorization[i];
    scheme_ok = scheme_ok && (c == prefix[i] || (c >= 'a' && c <= 'z' && c - 32 == prefix[i]) ||
                              (c >= 'A' && c <= 'Z' && c + 32 == prefix[i]));
  }
  const auto presented = sha256(authorization.substr(prefix.size()));
  const auto expected = sha256(token);
  return CRYPTO_memcmp(presented.data(), expected.data(), presented.size()) == 0 && scheme_ok;
}

asio::awaitable<stores::StateResult<void>> revoke(stores::StateStore& store, const RevokeRequest& request,
                                                  TimePoint now) {
  const std::string key = revocation_key(request.kind, request.value);
  const auto ttl = std::chrono::ceil<std::chrono::milliseconds>(request.until - now);
  auto initiate = [&](auto handler) {
    auto executor = asio::get_associated_executor(handler);
    auto pending = std::make_shared<decltype(handler)>(std::move(handler));
    // The store may call back inline or from its own thread: resume on the coroutine's executor either way.
    store.deny(key, ttl, [pending, executor](stores::StateResult<void> result) {
      asio::post(executor,
                 [pending, result = std::move(result)]() mutable { (*pending)(std::move(result)); });
    });
  };
  // clang-analyzer 14 does not model coroutine frames (asio#1511).
  // NOLINTBEGIN(clang-analyzer-core.CallAndMessage)
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(stores::StateResult<void>)>(
      initiate, asio::use_awaitable);
  // NOLINTEND(clang-analyzer-core.CallAndMessage)
}

}  // namespace authgate::gateway
