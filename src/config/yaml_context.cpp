// LoadContext and the free reading helpers of the loader.
#include <utility>

#include "config/yaml_reader.hpp"

namespace authgate::config::detail {
namespace {

// Above any real configuration (10 000 routes of a dozen values each is 120 000), and small enough that
// an alias-expanded document ("billion laughs") is refused within a fraction of a second.
constexpr std::size_t max_values = 200'000;

SourcePos to_pos(const std::string& file, const YAML::Mark& mark) {
  if (mark.is_null()) return SourcePos{file, 0, 0};
  return SourcePos{file, mark.line + 1, mark.column + 1};  // yaml-cpp marks are 0-based
}

std::string_view kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "a string";
    case YAML::NodeType::Undefined:
      break;
  }
  return "nothing";
}

}  // namespace

LoadContext::LoadContext(Config& config, Problems& problems, std::filesystem::path base_dir)
    : config_(config), problems_(problems), base_dir_(std::move(base_dir)), budget_(max_values) {}

void LoadContext::error(const YAML::Mark& mark, std::string path, std::string reason) {
  problems_.push_back(
      Problem{Severity::error, to_pos(config_.source_file, mark), std::move(path), std::move(reason)});
}

void LoadContext::error(const YAML::Node& node, std::string path, std::string reason) {
  if (!node.IsNull() && !node.Mark().is_null()) return error(node.Mark(), std::move(path), std::move(reason));
  SourcePos pos = position_of(config_, path);
  problems_.push_back(Problem{Severity::error, std::move(pos), std::move(path), std::move(reason)});
}

void LoadContext::record(const std::string& path, const YAML::Mark& mark) {
  config_.positions.insert_or_assign(path, to_pos(config_.source_file, mark));
}

void LoadContext::record(const std::string& path, const YAML::Node& node) {
  if (!node.IsNull() && !node.Mark().is_null()) record(path, node.Mark());
}

std::string LoadContext::resolve(const std::string& path) const {
  if (path.empty() || path == "-") return path;
  const std::filesystem::path p(path);
  if (p.is_absolute() || base_dir_.empty()) return path;
  return (base_dir_ / p).lexically_normal().string();
}

bool LoadContext::spend(const YAML::Mark& mark) {
  if (budget_ == 0) return false;
  if (--budget_ == 0) {
    error(
        mark, "",
        "the document holds more than " + std::to_string(max_values) + " values (are aliases expanding it?)");
    return false;
  }
  return true;
}

std::optional<std::string> read_scalar(LoadContext& ctx, const YAML::Node& node, const std::string& path,
                                       std::string_view expected) {
  if (!ctx.spend(node.Mark())) return std::nullopt;
  ctx.record(path, node);
  if (!node.IsScalar()) {
    ctx.error(node, path, "expected " + std::string(expected) + ", got " + std::string(kind_of(node)));
    return std::nullopt;
  }
  return node.Scalar();
}

void for_each_item(LoadContext& ctx, const YAML::Node& node, const std::string& path, std::size_t max_items,
                   const std::function<void(const YAML::Node&, const std::string&)>& item) {
  ctx.record(path, node);
  if (!node.IsSequence()) {
    ctx.error(node, path, "expected a list, got " + std::string(kind_of(node)));
    return;
  }
  if (node.size() > max_items) {
    ctx.error(node, path,
              "too many entries (" + std::to_string(node.size()) + "; the limit is " +
                  std::to_string(max_items) + ")");
    return;
  }
  std::size_t index = 0;
  for (const auto& element : node) {
    if (ctx.exhausted()) return;
    const std::string element_path = path + "[" + std::to_string(index++) + "]";
    ctx.record(element_path, element.Mark());
    item(element, element_path);
  }
}

}  // namespace authgate::config::detail
