#pragma once
// Where Basic (and later Digest) secrets live. Implementations are immutable snapshots: a file change
// builds a new store with a higher generation, so readers never lock.

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
};

class PasswordStore {
 public:
  virtual ~PasswordStore() = default;
  /// The record for `user` (exact, case-sensitive bytes), or nullptr. Thread-safe.
  virtual const UserRecord* find(std::string_view user) const noexcept = 0;
  /// Groups `user` belongs to (from the AuthGroupFile), sorted, possibly empty.
  virtual std::vector<std::string> groups_of(std::string_view user) const = 0;
  /// A hash of a random password with the same algorithm and cost as this store's entries: verified
  /// for unknown users so they take as long as a wrong password (no user enumeration by timing).
  virtual std::string_view dummy_hash() const noexcept = 0;
  /// Identifies this snapshot's content; differs after every reload.
  virtual std::uint64_t generation() const noexcept = 0;
};

}  // namespace authgate::stores
