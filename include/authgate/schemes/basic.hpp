#pragma once
// The Basic scheme, RFC 7617: `Authorization: Basic base64(user-id ":" password)`, UTF-8, verified
// against a PasswordStore.

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/reason.hpp"
#include "authgate/scheme.hpp"
#include "authgate/stores/password_store.hpp"

namespace authgate::schemes {

struct BasicOptions {
  std::string realm;               // sent as realm="…"; charset="UTF-8" is always sent (RFC 7617 §2.1)
  bool allow_weak_hashes = false;  // plaintext and DES-crypt entries verify only when set
  /// How a refused login waits out the failure floor (see below); empty = std::this_thread::sleep_for.
  /// A test seam: tests record the pause instead of sleeping.
  std::function<void(std::chrono::nanoseconds)> pause;
};

/// Builds the scheme for one realm. Thread-safe; the store is shared and immutable.
///  - no token68 (or auth-params)       → Malformed malformed_header
///  - token68 not strict base64         → Malformed bad_base64
///  - no ':' in the decoded user-pass   → Malformed missing_colon
///  - a control character in either     → Malformed bad_user_id
///  - unknown user                      → Rejected unknown_user, after verifying the store's dummy hash
///  - wrong password                    → Rejected wrong_password, no sooner than a dummy verification
///                                        would take when the dummy is an expensive hash (the failure
///                                        floor: no user enumeration by timing across hash costs)
///  - a user or group name no header may carry → Rejected unsafe_identity
///  - weak hash while weak is refused   → Rejected unsupported_hash, after verifying the dummy hash
///  - a stored hash libcrypt refuses    → Unavailable store_unavailable
///  - otherwise                         → Authenticated {user, groups from the store, "Basic"}
std::shared_ptr<const Scheme> make_basic_scheme(BasicOptions options,
                                                std::shared_ptr<const stores::PasswordStore> store);

/// A decoded Basic `user-id ":" password`. The buffer is wiped (OPENSSL_cleanse) on destruction, so it
/// is neither copyable nor movable: decode into the object that will hold it.
class BasicUserPass {
 public:
  BasicUserPass() = default;
  ~BasicUserPass();
  BasicUserPass(const BasicUserPass&) = delete;
  BasicUserPass& operator=(const BasicUserPass&) = delete;

  /// Everything before the first ':' (RFC 7617 §2: a user-id cannot contain a colon, a password can).
  /// Empty unless the last decode succeeded.
  std::string_view user() const noexcept {
    return decoded() ? std::string_view(decoded_).substr(0, colon_) : "";
  }
  /// Everything after the first ':'. Empty unless the last decode succeeded.
  std::string_view password() const noexcept {
    return decoded() ? std::string_view(decoded_).substr(colon_ + 1) : "";
  }

 private:
  friend Reason decode_basic_credentials(const grammar::Credentials& credentials, BasicUserPass& out);
  bool decoded() const noexcept { return colon_ < decoded_.size(); }
  std::string decoded_;
  std::size_t colon_ = std::string::npos;  // npos until a decode succeeds
};

/// Decodes Basic credentials into `out`. Returns Reason::ok, or why the credentials are malformed:
/// malformed_header, bad_base64, missing_colon or bad_user_id. Pure; the scheme name is not checked.
Reason decode_basic_credentials(const grammar::Credentials& credentials, BasicUserPass& out);

}  // namespace authgate::schemes
