#pragma once
// htpasswd files exactly as Apache's htpasswd writes them, and Apache AuthGroupFile group files.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/stores/password_store.hpp"

namespace authgate::stores {

/// Why a file was refused: `file:line:col: reason` (line 0 = the file as a whole, e.g. unreadable).
struct LoadError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string reason;
  std::string to_string() const;
};

/// Parses htpasswd content (and optional group-file content) into an immutable store.
/// Rejects: a line without ':', an empty user, a duplicate user, a hash of unknown format, lines or
/// files beyond the size limits. `generation` is stamped into the store.
boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> parse_htpasswd(
    std::string_view htpasswd_content, std::string_view htpasswd_name, std::string_view groups_content,
    std::string_view groups_name, std::uint64_t generation);

/// Reads and parses the files (groups_path may be empty).
boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> load_htpasswd(
    const std::string& htpasswd_path, const std::string& groups_path, std::uint64_t generation);

}  // namespace authgate::stores
