#pragma once
// POST /revocations on the admin listener (docs/throttling.md, "Revoking tokens and users"): puts a token
// id (`jti`) or a user name on the state store's deny-list until a time. With Redis every gateway instance
// refuses it within StateStore::deny_refresh plus a round trip; in memory, this process at once.
//
// Body (application/json, http/revoke_request.hpp): {"jti": "<id>"} or {"user": "<name>"}, and
// {"ttl": <seconds>} or {"until": <unix seconds>}. Who may revoke: with `admin.revoke_token_file`, a request
// carrying `Authorization: Bearer <that token>`; without it, loopback peers only.

#include <chrono>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>

#include "authgate/stores/state_store.hpp"
#include "gateway/authn/revocation.hpp"
#include "http/revoke_request.hpp"

namespace authgate::gateway {

/// Whether `authorization` (the request's field, or "" when absent) carries `token`. Compared in constant
/// time over SHA-256 digests, so neither the bytes nor the length of the token leak.
bool carries_admin_token(std::string_view authorization, std::string_view token) noexcept;

/// Puts the request on the deny-list; resumes on the calling coroutine's executor once the store answered
/// (at most its timeout later).
boost::asio::awaitable<stores::StateResult<void>> revoke(stores::StateStore& store,
                                                         const RevokeRequest& request,
                                                         std::chrono::system_clock::time_point now);

}  // namespace authgate::gateway
