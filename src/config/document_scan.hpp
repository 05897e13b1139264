#pragma once
// Where YAML documents start and end, found from the column-0 markers "---" and "..." (YAML 1.2 §9.1).
// The loader needs this because yaml-cpp 0.7's LoadAll() loops forever on some broken input (a stray
// ',' at the top level), so it parses with Load(), which reads only the first document.

#include <optional>
#include <string_view>

#include "config/model.hpp"

namespace authgate::config {

struct DocumentShape {
  /// The first line holding something other than blanks, comments, directives and markers (column 1).
  std::optional<SourcePos> first_content;
  /// Where a second document begins ("---" after content or after another "---", or content after
  /// "..."), or nullopt for a single-document stream.
  std::optional<SourcePos> second_document;
};

/// Scans `text` line by line (positions 1-based, `file` empty). Linear time, no allocation.
DocumentShape scan_documents(std::string_view text) noexcept;

}  // namespace authgate::config
