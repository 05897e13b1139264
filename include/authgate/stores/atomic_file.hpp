#pragma once
// Replacing a file so that readers (a running gateway, Apache) see the old content or the new, never a
// half-written file.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <system_error>

namespace authgate::stores {

/// Writes `content` to a temporary file in the directory of `path`, fsyncs it, renames it over `path`
/// and fsyncs the directory. The new file gets the mode (and, when permitted, the owner) of the file
/// it replaces, or `new_file_mode` when there was none. On error the original is untouched and the
/// temporary file removed.
std::error_code write_file_atomically(const std::string& path, std::string_view content,
                                      mode_t new_file_mode = 0600);

}  // namespace authgate::stores
