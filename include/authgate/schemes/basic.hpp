#pragma once
// The Basic scheme, RFC 7617: `Authorization: Basic base64(user-id ":" password)`, UTF-8, verified
// against a PasswordStore.

#include <memory>
#include <string>

#include "authgate/scheme.hpp"
#include "authgate/stores/password_store.hpp"

namespace authgate::schemes {

struct BasicOptions {
  std::string realm;             // sent as realm="…"; charset="UTF-8" is always sent (RFC 7617 §2.1)
  bool allow_weak_hashes = false;  // plaintext and DES-crypt entries verify only when set
};

/// Builds the scheme for one realm. Thread-safe; the store is shared and immutable.
std::shared_ptr<const Scheme> make_basic_scheme(BasicOptions options,
                                                std::shared_ptr<const stores::PasswordStore> store);

}  // namespace authgate::schemes
