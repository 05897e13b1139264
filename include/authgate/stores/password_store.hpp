#pragma once
// Where Basic and Digest secrets live. Implementations are immutable snapshots: a file change builds a
// new store with a higher generation, so readers never lock.
//
// Some stores are keyed by user alone (htpasswd), others by user and realm (htdigest's `user:realm:HA1`,
// because an HA1 digest is only valid in its realm, RFC 7616 §3.4.2).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/stores/password_hash.hpp"

namespace authgate::stores {

struct UserRecord {
  std::string user;
  std::string hash;  // as stored, e.g. "$2y$12$…", "$apr1$…", "{SHA}…"
  HashKind kind = HashKind::unknown;
  int line = 0;  // where it was read, for messages
  // The realm the record belongs to (htdigest); empty for records valid in every realm (htpasswd).
  // "= {}" keeps four-field initialisers free of missing-initializer warnings.
  std::string realm = {};
};

class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  /// The record for `user` (exact, case-sensitive bytes) that is valid in every realm, or nullptr: a
  /// record of one realm is never found this way. Thread-safe.
  virtual const UserRecord* find(std::string_view user) const noexcept = 0;
  /// The record for `user` in `realm` (both exact bytes), or nullptr: one of that realm if there is one,
  /// else one valid in every realm. A store that is not keyed by realm (htpasswd) ignores `realm`: this is
  /// then `find(user)`. Never a record of another realm, so a Digest HA1 is never used outside its
  /// realm. Thread-safe.
  const UserRecord* find(std::string_view user, std::string_view realm) const noexcept {
    return find_in_realm(user, realm);
  }
  /// Groups `user` belongs to (from the AuthGroupFile), sorted, possibly empty.
  virtual std::vector<std::string> groups_of(std::string_view user) const = 0;
  /// A hash of a random password with the same algorithm and cost as this store's entries: verified
  /// for unknown users so they take as long as a wrong password (no user enumeration by timing).
  virtual std::string_view dummy_hash() const noexcept = 0;
  /// Identifies this snapshot's content; differs after every reload.
  virtual std::uint64_t generation() const noexcept = 0;

 protected:
  /// What `find(user, realm)` answers. The default suits stores not keyed by realm: `find(user)`.
  /// (Not a virtual overload of `find`: implementations that override only `find(user)`, as the older
  /// ones do, compile unchanged and hide no virtual function.)
  virtual const UserRecord* find_in_realm(std::string_view user, std::string_view realm) const noexcept {
    (void)realm;
    return find(user);
  }
};

}  // namespace authgate::stores
