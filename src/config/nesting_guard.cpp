// The nesting pre-scan: a line-oriented approximation of YAML's block and flow structure.
#include "config/nesting_guard.hpp"

#include <vector>

namespace authgate::config {
namespace {

class NestingScanner {
 public:
  explicit NestingScanner(std::size_t max_depth) : max_depth_(max_depth) {}

  // Returns the 0-based column where the limit is exceeded on this line, or npos.
  std::size_t scan_line(std::string_view line) {
    std::size_t i = 0;
    if (quote_ == 0 && flow_depth_ == 0) {
      const std::size_t indent = line.find_first_not_of(' ');
      if (indent == std::string_view::npos || line[indent] == '#') return npos;
      if (in_block_scalar(indent)) return npos;
      block_scalar_parent_ = npos;
      while (!indents_.empty() && indents_.back() > indent) indents_.pop_back();
      if (indents_.empty() || indents_.back() < indent) indents_.push_back(indent);
      i = indent;
      // "- - x": each entry marker opens a level whose content column later lines indent to.
      while (i + 1 < line.size() && (line[i] == '-' || line[i] == '?' || line[i] == ':') &&
             line[i + 1] == ' ') {
        i = line.find_first_not_of(' ', i + 1);
        if (i == std::string_view::npos) i = line.size();
        if (indents_.back() < i) indents_.push_back(i);
      }
      if (indents_.size() > max_depth_) return i;
      if (ends_with_block_scalar_header(line, i)) block_scalar_parent_ = indent;
    }
    return scan_flow(line, i);
  }

 private:
  static constexpr std::size_t npos = std::string_view::npos;

  // Lines of a `|` or `>` block scalar are text, whatever they contain, while indented past its parent.
  bool in_block_scalar(std::size_t indent) const {
    return block_scalar_parent_ != npos && indent > block_scalar_parent_;
  }

  // Where a node (a quoted scalar, a flow collection) may begin: at the line start or after a space
  // in block context; inside a flow collection also right after '[', '{', ',' or ':'. Elsewhere these
  // characters are text inside a plain scalar ("/a[1]", "it's").
  bool starts_node(std::string_view line, std::size_t i) const {
    if (i == 0) return true;
    const char before = line[i - 1];
    if (before == ' ' || before == '\t') return true;
    return flow_depth_ > 0 && (before == '[' || before == '{' || before == ',' || before == ':');
  }

  bool ends_with_block_scalar_header(std::string_view line, std::size_t from) const {
    std::size_t end = line.find(" #", from);
    if (end == npos) end = line.size();
    while (end > from && line[end - 1] == ' ') --end;
    std::size_t start = end;
    while (start > from && (line[start - 1] == '+' || line[start - 1] == '-' ||
                            (line[start - 1] >= '0' && line[start - 1] <= '9'))) {
      --start;
    }
    if (start == from || end - start > 2) return false;
    const char indicator = line[start - 1];
    return (indicator == '|' || indicator == '>') && starts_node(line, start - 1);
  }

  std::size_t scan_flow(std::string_view line, std::size_t i) {
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (quote_ == '"') {
        if (c == '\\')
          ++i;
        else if (c == '"')
          quote_ = 0;
      } else if (quote_ == '\'') {
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'')
          ++i;
        else if (c == '\'')
          quote_ = 0;
      } else if (c == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        return npos;  // comment to end of line
      } else if ((c == '"' || c == '\'') && starts_node(line, i)) {
        quote_ = c;
      } else if ((c == '[' || c == '{') && starts_node(line, i)) {
        if (indents_.size() + ++flow_depth_ > max_depth_) return i;
      } else if ((c == ']' || c == '}') && flow_depth_ > 0) {
        --flow_depth_;
      }
    }
    return npos;
  }

  std::size_t max_depth_;
  std::vector<std::size_t> indents_;
  std::size_t flow_depth_ = 0;
  std::size_t block_scalar_parent_ = npos;
  char quote_ = 0;
};

}  // namespace

std::optional<SourcePos> find_excessive_nesting(std::string_view text, std::size_t max_depth) {
  NestingScanner scanner(max_depth);
  int line_number = 1;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (const std::size_t column = scanner.scan_line(line); column != std::string_view::npos) {
      return SourcePos{"", line_number, static_cast<int>(column) + 1};
    }
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
    ++line_number;
  }
  return std::nullopt;
}

}  // namespace authgate::config
