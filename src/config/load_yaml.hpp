#pragma once
// YAML → Config. The loader checks types, ranges and key names; validate() checks meaning (references,
// URLs, files); compile() builds the runtime snapshot. See docs/configuration.md for the format.

#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config {

/// Everything the loader could make of a document: the config (a value with a problem keeps its
/// default) and every problem. `readable` is false when the document as a whole could not be read
/// (missing, too large, too deep, a syntax error, not a map): `config` is then empty and checking it
/// further would only add noise.
struct LoadReport {
  Config config;
  Problems problems;
  bool readable = false;
};

/// Reads and parses the file at `path`; see load_yaml(). Never throws.
LoadReport read_yaml(const std::string& path);

/// Parses YAML `text` named `name`; see load_yaml_string(). Never throws.
LoadReport read_yaml_string(std::string_view text, std::string_view name);

/// Reads the file at `path` (at most limits::max_file_bytes, a regular file) and parses it. Relative
/// file paths inside are resolved against the file's directory. On failure: every problem found, each
/// located as file:line:col. Never throws.
boost::system::result<Config, Problems> load_yaml(const std::string& path);

/// Parses YAML `text`; `name` is the file name used in messages and, through its directory, the base of
/// relative file paths inside. Never throws.
boost::system::result<Config, Problems> load_yaml_string(std::string_view text, std::string_view name);

}  // namespace authgate::config
