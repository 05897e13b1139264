#pragma once
// The deny-list on the request path (docs/throttling.md, "Revoking tokens and users"): a verified
// identity whose token id (`jti`) or user name is denied is refused with 401, whether it was verified
// now or answered from the verify cache, so a revocation takes effect on the next request. Asked from the
// state store's local copy (StateStore::denied_locally): no wait, and nothing built while the list is
// empty.

#include <optional>
#include <string>
#include <string_view>

#include "authgate/identity.hpp"
#include "authgate/outcome.hpp"
#include "authgate/stores/state_store.hpp"
#include "http/revoke_request.hpp"

namespace authgate::gateway {

/// The deny-list key of `value`: kind-tagged, so a user named like a token id is not revoked with it.
std::string revocation_key(RevokedKind kind, std::string_view value);

/// The refusal for `identity` when its token id or user is denied in `store`; nullopt otherwise.
std::optional<Rejected> revocation_of(const stores::StateStore& store, const Identity& identity);

}  // namespace authgate::gateway
