#pragma once
// Internal: splits a store file into meaningful lines the way Apache's ap_cfg_getline does, within
// FileLimits, and reports problems as LoadErrors.

#include <functional>
#include <optional>
#include <string_view>

#include "authgate/stores/load_error.hpp"

namespace authgate::stores::detail {

/// One non-blank, non-comment line with surrounding whitespace removed.
struct Line {
  int number = 0;              // 1-based
  std::string_view text;       // trimmed
  std::size_t first_byte = 0;  // offset of text[0] in the raw line, so column = first_byte + i + 1
  int column(std::size_t index_in_text) const noexcept {
    return static_cast<int>(first_byte + index_in_text + 1);
  }
};

/// Calls `on_line` for each meaningful line, stopping at the first error (from the reader or returned by
/// `on_line`). Errors: file or line too long, a NUL byte, a line ending in a continuation '\'.
std::optional<LoadError> for_each_line(std::string_view content, std::string_view file_name,
                                       const FileLimits& limits,
                                       const std::function<std::optional<LoadError>(const Line&)>& on_line);

/// One raw line of a file's content, without its '\n': what the editors (htpasswd_edit, digest_edit)
/// walk to change one entry and keep every other byte.
struct RawLine {
  std::string_view text;  // may end in '\r'
  bool has_newline = false;
};

/// Calls `f(RawLine)` for every line of `content`, the last one also without a final '\n'.
template <class F>
void for_each_raw_line(std::string_view content, F&& f) {
  while (!content.empty()) {
    const auto newline = content.find('\n');
    const bool has_newline = newline != std::string_view::npos;
    f(RawLine{content.substr(0, newline), has_newline});
    content.remove_prefix(has_newline ? newline + 1 : content.size());
  }
}

/// Apache's apr_isspace set: SP HT LF VT FF CR.
bool is_space(char c) noexcept;
/// C0 controls and DEL.
bool is_control(char c) noexcept;

}  // namespace authgate::stores::detail
