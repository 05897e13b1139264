// Problem formatting and position lookup.
#include "config/problem.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/throw_exception.hpp>

namespace authgate::config {

std::string Problem::to_string() const {
  std::string out = pos.file.empty() ? std::string("<config>") : pos.file;
  if (pos.line > 0) out += ":" + std::to_string(pos.line) + ":" + std::to_string(pos.column);
  out += ": ";
  if (severity == Severity::warning) out += "warning: ";
  if (!path.empty()) out += path + ": ";
  out += reason;
  return out;
}

bool has_errors(const Problems& problems) noexcept {
  return std::any_of(problems.begin(), problems.end(),
                     [](const Problem& p) { return p.severity == Severity::error; });
}

namespace {

// "a.b[2].c" → "a.b[2]" → "a.b" → "a" → "".
std::string_view parent_path(std::string_view path) {
  const auto cut = path.find_last_of(".[");
  return cut == std::string_view::npos ? std::string_view{} : path.substr(0, cut);
}

}  // namespace

SourcePos position_of(const Config& config, std::string_view path) {
  while (!path.empty()) {
    if (const auto found = config.positions.find(path); found != config.positions.end()) return found->second;
    path = parent_path(path);
  }
  return SourcePos{config.source_file, 0, 0};
}

void throw_exception_from_error(const Problems& problems, const boost::source_location& loc) {
  std::string what;
  for (const auto& problem : problems) what += problem.to_string() + "\n";
  boost::throw_exception(std::invalid_argument(what), loc);
}

}  // namespace authgate::config
