#pragma once
// Editing htpasswd content the way Apache's htpasswd does: one user's line changes, every other line
// (comments, blank lines, other users, even lines we would refuse) stays byte for byte.

#include <optional>
#include <string>
#include <string_view>

namespace authgate::stores {

/// Why `user` cannot be an htpasswd user name (empty string = it can): empty, longer than 255 bytes,
/// contains ':' or a control character, or starts with '#'.
std::string check_user_name(std::string_view user);

/// The hash of the first entry for `user`, if any (matching lines as mod_authn_file does).
std::optional<std::string> find_htpasswd_hash(std::string_view content, std::string_view user);

/// `content` with the first entry of `user` replaced by `user:hash` (keeping that line's CRLF, if it
/// had one) and later entries of `user` removed; appended at the end when there was none.
std::string set_htpasswd_user(std::string_view content, std::string_view user, std::string_view hash);

/// `content` without any entry of `user`; nullopt when there was none.
std::optional<std::string> delete_htpasswd_user(std::string_view content, std::string_view user);

}  // namespace authgate::stores
