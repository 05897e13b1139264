#pragma once
// One thing wrong (or worth a warning) in a configuration, located as `file:line:col: path: reason`.

#include <string>
#include <string_view>
#include <vector>

#include <boost/assert/source_location.hpp>

#include "config/model.hpp"

namespace authgate::config {

enum class Severity : unsigned char { error, warning };

struct Problem {
  Severity severity = Severity::error;
  SourcePos pos;       // line/column 1-based; line 0 = the file as a whole or an in-code config
  std::string path;    // dotted key path, e.g. "routes[1].match.path"; empty = the document
  std::string reason;  // one sentence; never contains a secret
  /// "file:line:col: path: reason"; warnings read "file:line:col: warning: path: reason".
  std::string to_string() const;
};

/// Everything found wrong, in document order: every problem is reported, not just the first.
using Problems = std::vector<Problem>;

/// True when at least one problem is an error (warnings alone do not stop a load).
bool has_errors(const Problems& problems) noexcept;

/// Where the value at `path` was read: the position recorded for the longest prefix of `path`
/// (e.g. "routes[1].match.path" → "routes[1].match" → "routes[1]" → …), else the file itself.
SourcePos position_of(const Config& config, std::string_view path);

/// Lets `result<T, Problems>::value()` throw (tests and `authgate check`; never the request path).
[[noreturn]] void throw_exception_from_error(const Problems& problems, const boost::source_location& loc);

}  // namespace authgate::config
