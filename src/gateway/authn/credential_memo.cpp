// CredentialMemo: the connection's last cached credentials (see credential_memo.hpp).
#include "gateway/authn/credential_memo.hpp"

#include <openssl/crypto.h>

#include "authgate/stores/same_bytes.hpp"

namespace authgate::gateway {

CredentialMemo* CredentialMemo::under(const std::shared_ptr<const config::Snapshot>& snapshot) {
  // Owner order compares control blocks: ours stays allocated while this weak reference holds it, so a
  // later snapshot can never share it.
  if (snapshot_.owner_before(snapshot) || snapshot.owner_before(snapshot_)) {
    forget();
    snapshot_ = snapshot;
  }
  return this;
}

std::shared_ptr<const Identity> CredentialMemo::recall(const config::CompiledRealm& realm,
                                                       std::string_view field, std::uint64_t generation,
                                                       TimePoint now) {
  if (realm_ != &realm || !stores::same_bytes(field_, field)) return nullptr;
  if (generation_ != generation || now >= expires_) {
    forget();
    return nullptr;
  }
  return identity_;
}

void CredentialMemo::remember(const config::CompiledRealm& realm, std::string_view field,
                              std::uint64_t generation, TimePoint expires,
                              std::shared_ptr<const Identity> identity) {
  forget();
  if (field.size() > max_bytes || field.empty()) return;
  field_.assign(field);  // within the capacity after the first time: no allocation
  realm_ = &realm;
  generation_ = generation;
  expires_ = expires;
  identity_ = std::move(identity);
}

void CredentialMemo::forget() noexcept {
  // Every replacement comes through here, so no earlier, longer value's tail is left behind in the buffer.
  if (!field_.empty()) OPENSSL_cleanse(field_.data(), field_.size());
  field_.clear();
  realm_ = nullptr;
  identity_.reset();
}

}  // namespace authgate::gateway
