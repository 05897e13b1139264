#pragma once
// The arithmetic of HTTP Digest (RFC 7616): the algorithm names of §3.3 and the hashes of §3.4.1-§3.4.4
// and §3.5, over OpenSSL EVP. Pure and thread-safe; no I/O, no exceptions. Every digest is lower-case hex.
//
// Machinery failure (an algorithm the OpenSSL providers do not offer, e.g. MD5 under FIPS) is an empty
// string, never a digest: a real digest always has hex_size() characters. A function given an empty
// digest input (ha1_hex, ha2_hex, body_hash_hex) returns empty too, so one failure cannot turn into a
// value an attacker could compute without the password; callers answer an empty result with
// Unavailable (5xx), and same_digest() never matches it.

#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace authgate::schemes::digest {

/// The algorithms of the RFC 7616 §3.3 registry that we implement. SHA-512-256 is FIPS 180-4 SHA-512/256
/// (its own initial values), not SHA-512 truncated; RFC 7616 §3.9.2's published values are the latter
/// (errata 4897), curl and this gateway use the former.
enum class Algorithm : std::uint8_t { md5, md5_sess, sha256, sha256_sess, sha512_256, sha512_256_sess };

/// The quality of protection a client applied (RFC 7616 §3.4: qop=auth or qop=auth-int).
enum class Qop : std::uint8_t { auth, auth_int };

/// The algorithm an `algorithm` parameter names, compared case-insensitively (RFC 7616 §3.3), or nullopt
/// for any other token. The parameter's absence means MD5 (RFC 7616 §3.3, RFC 2617 compatibility): the
/// caller decides whether it accepts that.
std::optional<Algorithm> parse_algorithm(std::string_view token) noexcept;

/// The canonical spelling sent in challenges: "MD5", "MD5-sess", "SHA-256", "SHA-256-sess",
/// "SHA-512-256", "SHA-512-256-sess".
std::string_view to_string(Algorithm algorithm) noexcept;

/// The qop value as sent and hashed: "auth" or "auth-int".
std::string_view to_string(Qop qop) noexcept;

/// True for the -sess variants, whose HA1 also binds the nonce and cnonce (RFC 7616 §3.4.2).
bool is_session(Algorithm algorithm) noexcept;

/// Characters of one hex digest: 32 for MD5, 64 for SHA-256 and SHA-512-256.
std::size_t hex_size(Algorithm algorithm) noexcept;

/// True when OpenSSL offers the algorithm's hash here. Check it when loading config (a FIPS provider has
/// no MD5), so that no request finds out.
bool is_available(Algorithm algorithm) noexcept;

/// H(data) as lower-case hex (RFC 7616 §3.4.1). Empty only when the machinery fails.
std::string hash_hex(Algorithm algorithm, std::string_view data);

/// HA1 = H(username ":" realm ":" passwd) (RFC 7616 §3.4.2), what an htdigest-style store keeps. For a
/// -sess algorithm this is still the stored value; session_ha1() derives the per-session one. The
/// password is hashed where it lies (never copied), and the binary digest and hash state are wiped. The
/// result is as good as the password for this realm: a caller that derives it from a password (a
/// passwd tool) wipes it with OPENSSL_cleanse when done.
std::string ha1(Algorithm algorithm, std::string_view user, std::string_view realm,
                std::string_view password);

/// The -sess HA1 = H(H(username ":" realm ":" passwd) ":" nonce ":" cnonce) (RFC 7616 §3.4.2), from the
/// stored `ha1_hex` (lower-case, as ha1() returns it).
std::string session_ha1(Algorithm algorithm, std::string_view ha1_hex, std::string_view nonce,
                        std::string_view cnonce);

/// HA2 = H(method ":" request-uri) for qop=auth (RFC 7616 §3.4.3). For `rspauth` (RFC 7616 §3.5) pass an
/// empty method: A2 = ":" request-uri.
std::string ha2(Algorithm algorithm, std::string_view method, std::string_view uri);

/// HA2 = H(method ":" request-uri ":" H(entity-body)) for qop=auth-int (RFC 7616 §3.4.3), from the
/// body's digest (BodyHash). For `rspauth` pass an empty method (§3.5).
std::string ha2_int(Algorithm algorithm, std::string_view method, std::string_view uri,
                    std::string_view body_hash_hex);

/// response = KD(HA1, nonce ":" nc ":" cnonce ":" qop ":" HA2) with KD(s, d) = H(s ":" d) (RFC 7616
/// §3.4.1). `ha1_hex` is session_ha1() for -sess algorithms; `nc` is the 8 hex digits as the client sent
/// them. The same function gives `rspauth` when `ha2_hex` was computed with an empty method (§3.5).
std::string response(Algorithm algorithm, std::string_view ha1_hex, std::string_view nonce,
                     std::string_view nc, std::string_view cnonce, Qop qop, std::string_view ha2_hex);

/// The hashed user name of `userhash=true`: H(username ":" realm) (RFC 7616 §3.4.4).
std::string userhash(Algorithm algorithm, std::string_view user, std::string_view realm);

/// Constant-time comparison of an expected digest with the one a client sent (both lower-case hex; the
/// length is not secret). False when either is empty, so a machinery failure never matches.
bool same_digest(std::string_view expected, std::string_view given) noexcept;

namespace detail {
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const noexcept;
};
}  // namespace detail

/// H(entity-body) for qop=auth-int, fed piece by piece as the body streams (RFC 7616 §3.4.3). Not
/// thread-safe; one object per body. finish() once.
class BodyHash {
 public:
  explicit BodyHash(Algorithm algorithm);
  /// Hashes the next piece of the body.
  void update(std::string_view bytes) noexcept;
  /// The digest of everything fed, as lower-case hex; empty when the machinery failed at any point or
  /// when called a second time.
  std::string finish();

 private:
  std::unique_ptr<EVP_MD_CTX, detail::MdCtxFree> ctx_;
  bool ok_;
};

}  // namespace authgate::schemes::digest
