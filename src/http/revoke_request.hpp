#pragma once
// The body of POST /revocations (the admin listener's deny-list endpoint, gateway/ops/admin_revoke.hpp),
// parsed and checked: {"jti": "<id>"} or {"user": "<name>"}, and {"ttl": <seconds>} or
// {"until": <unix seconds>}. Untrusted input (fuzzed: fuzz/http_revoke_request.cpp).

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

namespace authgate::gateway {

/// What is revoked: a token by its `jti` claim, or every credential of a user name.
enum class RevokedKind { token_id, user };

struct RevokeRequest {
  RevokedKind kind = RevokedKind::token_id;
  std::string value;  // 1–max_revoked_value_bytes printable bytes
  std::chrono::system_clock::time_point until;
};

/// The longest a revocation may last, and the longest value it may name.
inline constexpr std::chrono::seconds max_revocation{std::int64_t{10} * 366 * 24 * 3600};
inline constexpr std::size_t max_revoked_value_bytes = 256;
/// The most bytes a revocation request's body may have.
inline constexpr std::size_t max_revoke_body_bytes = 4096;

/// Parses and checks the body at `now`; the error is a sentence for the client (it never echoes the body).
boost::system::result<RevokeRequest, std::string> parse_revoke_request(
    std::string_view body, std::chrono::system_clock::time_point now);

}  // namespace authgate::gateway
