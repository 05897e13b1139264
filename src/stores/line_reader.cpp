// Line splitting shared by the htpasswd and group-file parsers.
#include "stores/line_reader.hpp"

#include <string>

namespace authgate::stores::detail {
namespace {

LoadError error_at(std::string_view file, int line, int column, std::string reason) {
  return LoadError{std::string(file), line, column, std::move(reason)};
}

}  // namespace

bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_control(char c) noexcept {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::optional<LoadError> for_each_line(std::string_view content, std::string_view file_name,
                                       const FileLimits& limits,
                                       const std::function<std::optional<LoadError>(const Line&)>& on_line) {
  if (content.size() > limits.max_file_bytes) {
    return error_at(file_name, 0, 0, "file larger than " + std::to_string(limits.max_file_bytes) + " bytes");
  }
  int number = 0;
  while (!content.empty()) {
    ++number;
    const auto newline = content.find('\n');
    std::string_view raw = content.substr(0, newline);
    content.remove_prefix(newline == std::string_view::npos ? content.size() : newline + 1);
    if (raw.size() > limits.max_line_bytes) {
      return error_at(file_name, number, static_cast<int>(limits.max_line_bytes) + 1,
                      "line longer than " + std::to_string(limits.max_line_bytes) + " bytes");
    }
    if (const auto nul = raw.find('\0'); nul != std::string_view::npos) {
      return error_at(file_name, number, static_cast<int>(nul) + 1, "NUL byte");
    }
    std::size_t begin = 0, end = raw.size();
    while (begin < end && is_space(raw[begin])) ++begin;
    while (end > begin && is_space(raw[end - 1])) --end;
    const Line line{number, raw.substr(begin, end - begin), begin};
    if (line.text.empty() || line.text.front() == '#') continue;
    // Apache joins a line ending in '\' with the next one; Apache's tools never write that, and a silent
    // join would change which user a line defines, so such a file is refused.
    if (line.text.back() == '\\') {
      return error_at(file_name, number, line.column(line.text.size() - 1),
                      "line continuation '\\' not supported");
    }
    if (auto error = on_line(line)) return error;
  }
  return std::nullopt;
}

}  // namespace authgate::stores::detail
