#pragma once
// Stateless Digest nonces (RFC 7616 §3.3, §5.4): base64url(issued ‖ random ‖ MAC), where MAC is the first
// 16 bytes of HMAC-SHA256(secret, realm ‖ opaque ‖ issued ‖ random). Nothing is stored per challenge, so a
// flood of 401s costs no memory; a nonce another realm (or another secret) issued, or one altered in any
// bit, fails the MAC. `opaque` is a MAC of the realm alone: constant per realm and secret, and checked.

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

namespace authgate::schemes::digest {

enum class NonceState : unsigned char {
  fresh,    // issued here, for this realm, within its lifetime
  stale,    // issued here, for this realm, but its lifetime has passed (RFC 7616 §3.3 stale=true)
  invalid,  // not ours: wrong length or encoding, a failed MAC, or issued in the future
};

struct NonceCheck {
  NonceState state = NonceState::invalid;
  std::chrono::system_clock::time_point expires;  // fresh and stale: when the nonce's lifetime ends
};

class NonceAuthority {
 public:
  using TimePoint = std::chrono::system_clock::time_point;

  /// `secret`: at least 32 bytes (shorter → std::invalid_argument). `lifetime` > 0. Throws
  /// std::runtime_error if OpenSSL offers no HMAC-SHA256 (start-up only).
  NonceAuthority(std::string_view secret, std::string realm, std::chrono::seconds lifetime);
  ~NonceAuthority();
  NonceAuthority(const NonceAuthority&) = delete;
  NonceAuthority& operator=(const NonceAuthority&) = delete;

  /// The realm's opaque value (22 base64url characters).
  const std::string& opaque() const noexcept { return opaque_; }
  std::chrono::seconds lifetime() const noexcept { return lifetime_; }

  /// A new nonce issued at `now` (43 base64url characters). Empty only if randomness fails.
  std::string issue(TimePoint now) const;
  /// What `nonce` is at `now`. Constant time in the MAC comparison.
  NonceCheck check(std::string_view nonce, TimePoint now) const;

 private:
  std::array<unsigned char, 16> mac(std::string_view label, std::string_view payload) const;

  std::array<unsigned char, 32> key_{};
  std::string realm_;
  std::string opaque_;
  std::chrono::seconds lifetime_;
};

}  // namespace authgate::schemes::digest
