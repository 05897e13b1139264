#pragma once
// How a store file is refused, and the limits every store file parser applies.

#include <cstddef>
#include <string>

#include "authgate/stores/password_hash.hpp"

namespace authgate::stores {

/// Why a file was refused: `file:line:col: reason` (line 0 = the file as a whole, e.g. unreadable).
/// The reason never quotes a hash or a password.
struct LoadError {
  std::string file;
  int line = 0;
  int column = 0;
  std::string reason;
  /// "users.htpasswd:3:7: reason", or "users.htpasswd: reason" for line 0.
  std::string to_string() const;
};

/// Size limits for htpasswd and group files. A file beyond them is refused whole.
struct FileLimits {
  std::size_t max_file_bytes = 64u << 20;
  std::size_t max_line_bytes = 16384;  // group lines grow long (a group may also span several lines)
  std::size_t max_name_bytes = 255;    // user and group names (Apache's htpasswd allows 255)
  CostLimits cost;                     // bounds on the hashes' cost parameters
};

}  // namespace authgate::stores
