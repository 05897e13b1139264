#pragma once
// The syntax of Digest credentials (RFC 7616 §3.4): a parsed Authorization / Proxy-Authorization value
// checked and decoded into typed fields, before any store, nonce or hash is consulted. Pure and
// thread-safe. Everything refused here is a 400 (malformed), never a 401.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <boost/system/result.hpp>

#include "authgate/grammar/auth_params.hpp"
#include "authgate/reason.hpp"
#include "authgate/schemes/digest_algorithm.hpp"

namespace authgate::schemes::digest {

/// Well-formed Digest credentials. Strings are owned copies; nothing here is secret (the response is a
/// one-time value bound to nonce and nc).
struct DigestCredentials {
  /// The user name: `username` as sent, or `username*` decoded from RFC 8187 (valid UTF-8, no control
  /// characters). With `userhash`, the lower-case hex H(username ":" realm) instead (RFC 7616 §3.4.4).
  std::string username;
  bool userhash = false;
  std::string realm;
  std::string nonce;
  std::string uri;
  /// Lower-case hex, exactly hex_size(algorithm) characters.
  std::string response;
  /// MD5 when the credentials name none (RFC 7616 §3.3); the scheme decides whether its realm allows it.
  Algorithm algorithm = Algorithm::md5;
  Qop qop = Qop::auth;
  /// The nonce count (never 0) and its 8 hex digits as sent, which is what the response hashes.
  std::uint32_t nc = 0;
  std::string nc_text;
  std::string cnonce;
  std::optional<std::string> opaque;
};

/// Upper bounds on what parse_digest_credentials() reads; beyond them the credentials are hostile.
struct DigestLimits {
  static constexpr std::size_t max_value_bytes = 4096;   // any one parameter value
  static constexpr std::size_t max_total_bytes = 16384;  // all names and values together
  static constexpr std::size_t max_params = 64;          // parameters, unknown ones included
};

/// Checks and decodes Digest credentials (RFC 7616 §3.4). Errors (check has_value(); `.value()` has no
/// exception mapping for Reason):
///  - another scheme than Digest (case-insensitive)                        → scheme_not_accepted
///  - token68; a parameter twice; too many or too long parameters;
///    a required parameter missing or empty (username or username*,
///    realm, nonce, uri, response, qop, nc, cnonce; realm may be empty);
///    both username and username*; username* with userhash=true;
///    username* not `UTF-8'[lang]'pct-encoded` or with a broken escape;
///    userhash other than true/false; an unknown algorithm; qop other
///    than auth / auth-int; nc not 8 hex digits or 00000000; response
///    (or a userhash username) not hex of the algorithm's digest size     → malformed_header
///  - a user name (plain or decoded) that is not valid UTF-8 or holds a
///    control character (C0, DEL, C1)                                     → bad_user_id
/// Unknown parameters are ignored (RFC 7616 §3.4: "MUST ignore"), after the duplicate and size checks.
boost::system::result<DigestCredentials, Reason> parse_digest_credentials(
    const grammar::Credentials& credentials);

}  // namespace authgate::schemes::digest
