#pragma once
// Editing digest files the way Apache's htdigest does: one (user, realm) line changes, every other line
// (comments, blank lines, other users and realms, even lines we would refuse) stays byte for byte. No
// hashing here (the stores layer does not depend on the schemes): callers pass the HA1s as hex.

#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "authgate/stores/digest_store.hpp"

namespace authgate::stores {

/// Why `user` cannot be a digest-file user name (empty string = it can): empty, longer than 255 bytes,
/// invalid UTF-8, a ':', a control character or U+FEFF, starts with '#', or whitespace at either end.
std::string check_digest_user(std::string_view user);

/// Why `realm` cannot be a digest-file realm (empty string = it can); the same rules as for users.
std::string check_digest_realm(std::string_view realm);

/// The line for `record`, without a newline: `user:realm:<md5>` (htdigest's format, so Apache still
/// reads the file) when only the MD5 HA1 is present, else `user:realm:SHA-256=…,SHA-512-256=…,MD5=…`
/// with the present tags in that order and hex in lower case. Precondition: upsert_digest_line()'s checks
/// pass (it calls this after checking).
std::string format_digest_line(const DigestRecord& record);

struct DigestEdit {
  std::string content;
  bool replaced = false;  // true: a line of (user, realm) existed; false: one was appended
};

/// `content` with the first line of (record.user, record.realm) — as the parser reads lines — replaced
/// by format_digest_line(record) (keeping that line's CRLF, if it had one) and later lines of the pair
/// removed; appended at the end when there was none. The whole line is replaced, not merged: a changed
/// password must not stay valid through an old HA1 of another hash. Errors (a sentence, never quoting an
/// HA1): an invalid user or realm, no HA1, an HA1 of the wrong length or not hex.
boost::system::result<DigestEdit, std::string> upsert_digest_line(std::string_view content,
                                                                  const DigestRecord& record);

/// `content` without any line of (user, realm); nullopt when there was none.
std::optional<std::string> delete_digest_line(std::string_view content, std::string_view user,
                                              std::string_view realm);

}  // namespace authgate::stores
