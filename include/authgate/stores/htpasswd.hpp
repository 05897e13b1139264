#pragma once
// htpasswd files exactly as Apache's htpasswd writes them, and Apache AuthGroupFile group files.
//
// One entry per line, `user:hash`; like Apache (ap_cfg_getline + mod_authn_file) we ignore blank lines
// and lines whose first non-blank character is '#', strip surrounding whitespace and a CR before LF, and
// ignore anything after a second ':'. Stricter than Apache: a broken line (no ':', empty or overlong
// user, control characters, duplicate user, unsupported hash or excessive cost, a continuation '\')
// refuses the whole file, so the caller keeps its previous snapshot.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "authgate/stores/load_error.hpp"
#include "authgate/stores/password_store.hpp"

namespace authgate::stores {

/// Parses htpasswd content (and optional group-file content, empty = no groups) into an immutable
/// store stamped with `generation`. The names are used in error messages only.
boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> parse_htpasswd(
    std::string_view htpasswd_content, std::string_view htpasswd_name, std::string_view groups_content,
    std::string_view groups_name, std::uint64_t generation, const FileLimits& limits = {});

/// Reads and parses the files (groups_path may be empty). Unreadable or oversized files are LoadErrors.
boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> load_htpasswd(
    const std::string& htpasswd_path, const std::string& groups_path, std::uint64_t generation,
    const FileLimits& limits = {});

/// Reads a whole file of at most `max_bytes` (a LoadError with line 0 otherwise).
boost::system::result<std::string, LoadError> read_store_file(const std::string& path, std::size_t max_bytes);

}  // namespace authgate::stores
