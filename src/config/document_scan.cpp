// Document markers: "---" opens a document, "..." closes one; both only at column 0.
#include "config/document_scan.hpp"

namespace authgate::config {
namespace {

bool is_marker(std::string_view line, std::string_view marker) noexcept {
  return line.starts_with(marker) && (line.size() == 3 || line[3] == ' ' || line[3] == '\t');
}

// Blank, a comment, or (before any content) a directive such as "%YAML 1.2".
bool is_empty_line(std::string_view line, bool seen_content) noexcept {
  const auto first = line.find_first_not_of(" \t");
  if (first == std::string_view::npos || line[first] == '#') return true;
  return !seen_content && line[0] == '%';
}

class DocumentScanner {
 public:
  // False once the shape is known to be more than one document.
  bool scan(std::string_view line, int number) noexcept {
    if (is_marker(line, "---")) {
      if (started_ || content_) return second(number);
      started_ = true;
      if (!is_empty_line(line.substr(3), true)) note_content(number);  // "--- {a: 1}"
    } else if (is_marker(line, "...")) {
      ended_ = true;
    } else if (!is_empty_line(line, content_)) {
      if (ended_) return second(number);
      note_content(number);
    }
    return true;
  }
  const DocumentShape& shape() const noexcept { return shape_; }

 private:
  bool second(int number) noexcept {
    shape_.second_document = SourcePos{"", number, 1};
    return false;
  }
  void note_content(int number) noexcept {
    if (!content_) shape_.first_content = SourcePos{"", number, 1};
    content_ = true;
  }

  DocumentShape shape_;
  bool started_ = false;
  bool content_ = false;
  bool ended_ = false;
};

}  // namespace

DocumentShape scan_documents(std::string_view text) noexcept {
  DocumentScanner scanner;
  int number = 1;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!scanner.scan(line, number)) break;
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
    ++number;
  }
  return scanner.shape();
}

}  // namespace authgate::config
