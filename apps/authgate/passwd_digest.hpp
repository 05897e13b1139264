#pragma once
// The Digest half of `authgate passwd` (RFC 7616, like Apache's htdigest): which HA1s a line stores, the
// edited file content, and the check made before it may replace the file. No I/O and no printing:
// cmd_passwd.cpp reads the password and the file, and writes the result.

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/stores/digest_edit.hpp"
#include "authgate/stores/digest_store.hpp"

namespace authgate::app {

/// Overwrites every byte `text` owns, up to its capacity, with OPENSSL_cleanse.
void wipe(std::string& text) noexcept;

/// A string wiped when it goes out of scope: a password, an HA1, or digest-file content (each HA1 in it
/// is as good as its user's password in its realm, RFC 7616 §5.2).
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string text) : value(std::move(text)) {}
  ~Secret() { wipe(value); }
  Secret(const Secret&) = delete;
  Secret& operator=(const Secret&) = delete;
  std::string value;
};

/// What `--algorithms` means when it is not given: the hashes RFC 7616 added, without MD5.
inline constexpr std::string_view default_digest_algorithms = "SHA-256,SHA-512-256";

/// The hash families a `--algorithms` list names: comma-separated SHA-256, SHA-512-256 and MD5, compared
/// case-insensitively, blanks around each ignored, each at most once. An error sentence otherwise.
boost::system::result<std::vector<stores::DigestHash>, std::string> parse_digest_algorithms(
    std::string_view list);

/// A warning for a realm that curl users cannot sign in to, or an empty string. A realm with '"' or '\'
/// travels as a quoted-string with backslash escapes (RFC 7616 §3.3, RFC 9110 §5.6.4); curl hashes the
/// escaped form (curl test 1095), so its HA1 never matches the one stored for the realm itself.
std::string digest_realm_warning(std::string_view realm);

/// Why `content` must not replace the file because it would not load as a digest file (the gateway's
/// parse_digest_store; `source_name:line:column` in the sentence), or an empty string when it would load.
/// The sentence never quotes an HA1.
std::string check_digest_content(std::string_view content, const std::string& source_name);

/// `content` with the line of (user, realm) set to H(user:realm:password) for each of `hashes`
/// (upsert_digest_line: the whole line is replaced, every other line kept byte for byte), and checked
/// with check_digest_content. Errors are sentences (an invalid user or realm, a hash OpenSSL does not
/// offer here, a result that would not load); none quotes an HA1 or the password. The HA1s computed are
/// wiped; the caller wipes the returned content.
boost::system::result<stores::DigestEdit, std::string> set_digest_password(
    std::string_view content, const std::string& source_name, std::string_view user, std::string_view realm,
    std::string_view password, std::span<const stores::DigestHash> hashes);

}  // namespace authgate::app
