#pragma once
// A cheap pre-scan of YAML text that bounds its nesting depth before yaml-cpp sees it. yaml-cpp parses
// by recursion (up to 2000 levels), so a small hostile document ("[[[[…") could otherwise exhaust the
// stack; no real configuration nests more than a handful of levels.

#include <cstddef>
#include <optional>
#include <string_view>

#include "config/model.hpp"

namespace authgate::config {

/// Where `text` first nests deeper than `max_depth` (line/column 1-based, `file` left empty), or
/// nullopt. Over-estimates rather than under-estimates: every indentation step, every "- " / "? " entry
/// marker and every flow bracket counts as a level; quoted strings, comments and block scalars do not.
std::optional<SourcePos> find_excessive_nesting(std::string_view text, std::size_t max_depth);

}  // namespace authgate::config
