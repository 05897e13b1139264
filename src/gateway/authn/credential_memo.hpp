#pragma once
// A connection's memory of the last credentials the verify cache answered for it. A keep-alive client sends
// the same Authorization bytes with every request; comparing them with the bytes answered last (constant
// time, word by word: well under an instruction a byte) costs far less than hashing them into the cache's
// key and searching the shared cache (≈ 1,000 instructions for Basic, ≈ 3,500 for a 600-byte JWT).
//
// A recall is the answer the cache would give, never another: the same realm (the first of the scheme on the
// route), the same generation of its data, before the cache entry's expiry, under the same config snapshot
// (a reload forgets everything); revocation and policy run after it as after a cache hit.
//
// It holds the credentials' bytes, as the connection's read buffer does until the next request overwrites
// them: at most max_bytes, wiped when replaced or forgotten and when the connection ends. One connection
// may carry several users' requests (a front proxy's pooled connection): the comparison's time depends on
// the lengths only, never on where the bytes differ.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "authgate/identity.hpp"
#include "config/snapshot.hpp"

namespace authgate::gateway {

/// One per connection; used by that connection's requests only (not thread-safe).
class CredentialMemo {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  static constexpr std::size_t max_bytes = 4096;  // longer credentials are not remembered

  CredentialMemo() = default;
  ~CredentialMemo() { forget(); }
  CredentialMemo(const CredentialMemo&) = delete;
  CredentialMemo& operator=(const CredentialMemo&) = delete;

  /// This memo for a request judged under `snapshot`: emptied first when it was filled under another one,
  /// so a realm of a replaced snapshot (and whatever is later built at its address) is never matched.
  CredentialMemo* under(const std::shared_ptr<const config::Snapshot>& snapshot);

  /// The identity remembered for exactly `field` in `realm`, while `generation` is still the realm's and
  /// `now` is before the expiry; else nullptr (and a memo that no longer holds is forgotten).
  std::shared_ptr<const Identity> recall(const config::CompiledRealm& realm, std::string_view field,
                                         std::uint64_t generation, TimePoint now);

  /// Remembers what the verify cache just answered for `field` in `realm` (its entry's generation and
  /// expiry), replacing what was remembered.
  void remember(const config::CompiledRealm& realm, std::string_view field, std::uint64_t generation,
                TimePoint expires, std::shared_ptr<const Identity> identity);

  /// Wipes the bytes and drops the identity.
  void forget() noexcept;

 private:
  std::weak_ptr<const config::Snapshot> snapshot_;  // weak: an old config is not kept alive by idle clients
  const config::CompiledRealm* realm_ = nullptr;    // nullptr: nothing remembered
  std::string field_;
  std::uint64_t generation_ = 0;
  TimePoint expires_{};
  std::shared_ptr<const Identity> identity_;
};

}  // namespace authgate::gateway
