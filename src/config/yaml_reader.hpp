#pragma once
// Loader internals: typed, position-recording reads from yaml-cpp nodes. Only the load_*.cpp files
// include this header, so no yaml-cpp type leaves the loader.

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/model.hpp"
#include "config/problem.hpp"

namespace authgate::config::detail {

/// State shared by every reader of one document: where problems go and where positions are recorded.
class LoadContext {
 public:
  LoadContext(Config& config, Problems& problems, std::filesystem::path base_dir);

  void error(const YAML::Mark& mark, std::string path, std::string reason);
  /// An error about `node`, the value at `path`. A null value has no useful mark of its own (yaml-cpp
  /// points past it), so it is located at its key, recorded under `path` when the key was looked up.
  void error(const YAML::Node& node, std::string path, std::string reason);
  void record(const std::string& path, const YAML::Mark& mark);
  /// Records where `node` is, unless it is null (then the key's position stays).
  void record(const std::string& path, const YAML::Node& node);
  /// `path` resolved against the config file's directory (absolute paths and "" unchanged).
  std::string resolve(const std::string& path) const;
  /// Counts one value read; false (with one error) once the document holds more values than a config
  /// can sensibly have, which bounds the work that alias expansion can cause.
  bool spend(const YAML::Mark& mark);
  bool exhausted() const noexcept { return budget_ == 0; }
  const std::string& file() const noexcept { return config_.source_file; }

 private:
  Config& config_;
  Problems& problems_;
  std::filesystem::path base_dir_;
  std::size_t budget_;
};

/// The scalar text of `node`, or nullopt after reporting what it was instead.
std::optional<std::string> read_scalar(LoadContext& ctx, const YAML::Node& node, const std::string& path,
                                       std::string_view expected = "a string");

/// Calls `item` for each element of a sequence (at most `max_items`), with the element's path.
void for_each_item(LoadContext& ctx, const YAML::Node& node, const std::string& path, std::size_t max_items,
                   const std::function<void(const YAML::Node&, const std::string&)>& item);

/// One YAML mapping being read. Every key must be looked up by the reader; finish() reports the keys no
/// one asked for as unknown (typos are errors). Duplicate and non-scalar keys are reported on
/// construction.
class MapReader {
 public:
  MapReader(LoadContext& ctx, const YAML::Node& node, std::string path);
  MapReader(const MapReader&) = delete;
  MapReader& operator=(const MapReader&) = delete;

  bool ok() const noexcept { return ok_; }
  LoadContext& context() noexcept { return ctx_; }
  /// Path of a key of this map, e.g. "routes[0]" + "match" → "routes[0].match".
  std::string child(std::string_view key) const;
  /// The value of `key` (the key counts as known even when absent), or nullptr.
  const YAML::Node* find(std::string_view key);
  /// Reports `key` as missing when absent.
  const YAML::Node* require(std::string_view key);

  void read_string(std::string_view key, std::string& out);
  void read_file(std::string_view key, std::string& out);  // a string resolved against the config dir
  void read_bool(std::string_view key, bool& out);
  void read_uint(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
  void read_duration(std::string_view key, Duration& out, Duration min, Duration max);
  void read_size_wide(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
  void read_strings(std::string_view key, std::vector<std::string>& out, std::size_t max_items);

  template <class Int>
  void read_number(std::string_view key, Int& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t wide = out;
    read_uint(key, wide, min, max);
    out = static_cast<Int>(wide);
  }
  template <class Int>
  void read_size(std::string_view key, Int& out, std::uint64_t min, std::uint64_t max) {
    std::uint64_t wide = out;
    read_size_wide(key, wide, min, max);
    out = static_cast<Int>(wide);
  }

  /// Each entry of a mapping used as a named collection (`upstreams: {app: {...}}`), in document order.
  void for_each_entry(std::size_t max_entries,
                      const std::function<void(const std::string& name, const YAML::Node& value,
                                               const std::string& path)>& entry);
  /// Reports every key no reader asked for, with a suggestion when it looks like a typo.
  void finish();

 private:
  struct Entry {
    std::string key;
    YAML::Mark key_mark;
    YAML::Node value;
    bool known = false;
  };
  struct Scalar {
    YAML::Mark mark;
    std::string text;
  };
  std::optional<Scalar> scalar_of(std::string_view key, std::string_view expected);

  LoadContext& ctx_;
  std::string path_;
  YAML::Mark mark_;
  bool ok_ = false;
  std::vector<Entry> entries_;
  std::vector<std::string> asked_;
};

}  // namespace authgate::config::detail
