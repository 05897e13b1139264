#pragma once
// YAML → Config. The loader checks types, ranges and key names; validate() checks meaning (references,
// URLs, files); compile() builds the runtime snapshot. See docs/configuration.md for the format.

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config {

/// Reads the file at `path` (at most limits::max_file_bytes, a regular file) and parses it. Relative
/// file paths inside are resolved against the file's directory. On failure: every problem found, each
/// located as file:line:col. Never throws.
boost::system::result<Config, Problems> load_yaml(const std::string& path);

/// Parses YAML `text`; `name` is the file name used in messages and, through its directory, the base of
/// relative file paths inside. Never throws.
boost::system::result<Config, Problems> load_yaml_string(std::string_view text, std::string_view name);

}  // namespace authgate::config
