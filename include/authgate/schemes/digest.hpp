#pragma once
// The Digest scheme, RFC 7616: the password never travels; the client proves it knows
// HA1 = H(user ":" realm ":" password) by hashing it with a server nonce, its own cnonce, a nonce count,
// the method and the URI. Verified against a DigestStore (no plaintext passwords kept).
//
// Nonces are stateless and unforgeable: a timestamp and random bytes under an HMAC bound to the realm and
// `opaque`, valid for `nonce_lifetime`. Replays are caught by the StateStore: each (nonce, nc) is accepted
// once and nc must rise per nonce; a nonce's state is created only after a response verified, and goes
// when the nonce expires. See docs/digest.md.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "authgate/scheme.hpp"
#include "authgate/schemes/digest_algorithm.hpp"
#include "authgate/stores/digest_store.hpp"
#include "authgate/stores/group_file.hpp"
#include "authgate/stores/state_store.hpp"

namespace authgate::schemes {

struct DigestOptions {
  std::string realm;  // sent as realm="…"; avoid '"' and '\' (curl hashes them escaped, docs/digest.md)
  /// One challenge each, in this order: strongest first (RFC 7616 §3.7). Non-empty, no repeats.
  std::vector<digest::Algorithm> algorithms{digest::Algorithm::sha256};
  bool qop_auth = true;       // qop="auth"
  bool qop_auth_int = false;  // qop="auth-int": the gateway hashes the request body (bounded)
  bool userhash = false;      // advertise userhash=true (RFC 7616 §3.4.4)
  std::chrono::seconds nonce_lifetime{300};
  /// Keys nonces and opaque (at least 32 bytes). Instances that share clients and a StateStore share it.
  std::string secret;
};

/// The stored HA1 an algorithm uses: MD5 and MD5-sess share the MD5 HA1, and so on (RFC 7616 §3.4.2: a
/// -sess HA1 is derived per session from the stored one).
stores::DigestHash stored_hash_of(digest::Algorithm algorithm) noexcept;

/// Builds the scheme for one realm. Thread-safe; store and state are shared. Outcomes:
///  - credentials that break RFC 7616 §3.4 (parse_digest_credentials), an algorithm or qop this realm
///    does not offer the syntax for (unknown), auth-int without a body to hash → Malformed
///  - `uri` that does not name the request target (RFC 7616 §3.4.6)         → Malformed uri_mismatch
///  - a realm other than this one, an algorithm or qop not offered here       → Rejected scheme_not_accepted
///  - a nonce this realm did not issue or that was altered, a wrong opaque    → Rejected bad_nonce
///  - unknown user (after computing against the store's dummy HA1)            → Rejected unknown_user
///  - wrong response                                                           → Rejected wrong_password
///  - a valid response with an expired nonce                                  → Rejected stale_nonce,
///  stale=true
///  - a valid response whose nc is not above every nc of its nonce           → Rejected nonce_replayed,
///                                                                              stale=true (a new nonce)
///  - the StateStore failed                                                   → Unavailable store_unavailable
///  - otherwise → Authenticated {user, groups from `groups` (may be null), "Digest"} with Authentication-Info
///  params (rspauth,
///    qop, cnonce, nc; nextnonce in the last fifth of the nonce's life).
/// Work is Work::waits for well-formed credentials (the StateStore may be networked).
std::shared_ptr<const Scheme> make_digest_scheme(
    DigestOptions options, std::shared_ptr<const stores::DigestStore> store,
    std::shared_ptr<stores::StateStore> state, std::shared_ptr<const stores::GroupsByUser> groups = nullptr);

}  // namespace authgate::schemes
