// MapReader: one YAML mapping, every key accounted for.
#include <algorithm>
#include <charconv>
#include <utility>

#include "config/units.hpp"
#include "config/yaml_reader.hpp"

namespace authgate::config::detail {
namespace {

std::optional<std::uint64_t> parse_uint(std::string_view text) {
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Levenshtein distance, capped: only used to suggest a known key for a short misspelt one.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  if (a.size() > 64 || b.size() > 64) return 64;
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
      diagonal = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, substitution});
    }
  }
  return row[b.size()];
}

std::string suggestion(std::string_view key, const std::vector<std::string>& known) {
  std::string best;
  std::size_t best_distance = 3;  // suggest only close misspellings
  for (const auto& candidate : known) {
    const std::size_t d = edit_distance(key, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best.empty() ? std::string{} : " (did you mean '" + best + "'?)";
}

}  // namespace

MapReader::MapReader(LoadContext& ctx, const YAML::Node& node, std::string path)
    : ctx_(ctx), path_(std::move(path)), mark_(node.Mark()) {
  if (!path_.empty()) ctx_.record(path_, node);
  if (!node.IsMap()) {
    ctx_.error(node, path_, node.IsNull() ? "expected a map, got nothing (null)" : "expected a map");
    return;
  }
  ok_ = true;
  for (const auto& pair : node) {
    if (!ctx_.spend(pair.first.Mark())) return;
    if (!pair.first.IsScalar()) {
      ctx_.error(pair.first.Mark(), path_, "keys must be plain strings");
      continue;
    }
    const std::string& key = pair.first.Scalar();
    const bool duplicate =
        std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) { return e.key == key; });
    if (duplicate) {
      // yaml-cpp silently keeps one of two equal keys; a config that says two things must say one.
      ctx_.error(pair.first.Mark(), child(key), "duplicate key '" + key + "'");
      continue;
    }
    entries_.push_back(Entry{key, pair.first.Mark(), pair.second, false});
  }
}

std::string MapReader::child(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const YAML::Node* MapReader::find(std::string_view key) {
  asked_.emplace_back(key);
  for (auto& entry : entries_) {
    if (entry.key == key) {
      entry.known = true;
      ctx_.record(child(key), entry.key_mark);  // until the value, if not null, records its own
      return &entry.value;
    }
  }
  return nullptr;
}

const YAML::Node* MapReader::require(std::string_view key) {
  const YAML::Node* node = find(key);
  if (node == nullptr && ok_) ctx_.error(mark_, path_, "missing required key '" + std::string(key) + "'");
  return node;
}

std::optional<MapReader::Scalar> MapReader::scalar_of(std::string_view key, std::string_view expected) {
  const YAML::Node* node = find(key);
  if (node == nullptr) return std::nullopt;
  auto text = read_scalar(ctx_, *node, child(key), expected);
  if (!text) return std::nullopt;
  return Scalar{node->Mark(), std::move(*text)};
}

void MapReader::read_string(std::string_view key, std::string& out) {
  if (auto scalar = scalar_of(key, "a string")) out = std::move(scalar->text);
}

void MapReader::read_file(std::string_view key, std::string& out) {
  if (auto scalar = scalar_of(key, "a file path")) out = ctx_.resolve(scalar->text);
}

void MapReader::read_bool(std::string_view key, bool& out) {
  const auto scalar = scalar_of(key, "true or false");
  if (!scalar) return;
  const std::string& text = scalar->text;
  // Only the YAML 1.2 core-schema spellings: "yes", "on", "y" are the Norway problem, not booleans.
  if (text == "true" || text == "True" || text == "TRUE") {
    out = true;
  } else if (text == "false" || text == "False" || text == "FALSE") {
    out = false;
  } else {
    ctx_.error(scalar->mark, child(key), "expected true or false, got '" + text + "'");
  }
}

void MapReader::read_uint(std::string_view key, std::uint64_t& out, std::uint64_t min, std::uint64_t max) {
  const auto scalar = scalar_of(key, "a whole number");
  if (!scalar) return;
  const std::string& text = scalar->text;
  const auto value = parse_uint(text);
  if (!value || *value < min || *value > max) {
    ctx_.error(scalar->mark, child(key),
               "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                   ", got '" + text + "'");
    return;
  }
  out = *value;
}

void MapReader::read_duration(std::string_view key, Duration& out, Duration min, Duration max) {
  const auto scalar = scalar_of(key, "a duration");
  if (!scalar) return;
  const std::string& text = scalar->text;
  const auto value = parse_duration(text);
  if (!value) {
    ctx_.error(scalar->mark, child(key), value.error() + ", got '" + text + "'");
  } else if (*value < min || *value > max) {
    ctx_.error(
        scalar->mark, child(key),
        "must be from " + format_duration(min) + " to " + format_duration(max) + ", got '" + text + "'");
  } else {
    out = *value;
  }
}

void MapReader::read_size_wide(std::string_view key, std::uint64_t& out, std::uint64_t min,
                               std::uint64_t max) {
  const auto scalar = scalar_of(key, "a size");
  if (!scalar) return;
  const std::string& text = scalar->text;
  const auto value = parse_size(text);
  if (!value) {
    ctx_.error(scalar->mark, child(key), value.error() + ", got '" + text + "'");
  } else if (*value < min || *value > max) {
    ctx_.error(scalar->mark, child(key),
               "must be from " + format_size(min) + " to " + format_size(max) + ", got '" + text + "'");
  } else {
    out = *value;
  }
}

void MapReader::read_strings(std::string_view key, std::vector<std::string>& out, std::size_t max_items) {
  const YAML::Node* node = find(key);
  if (node == nullptr) return;
  out.clear();
  for_each_item(ctx_, *node, child(key), max_items, [&](const YAML::Node& item, const std::string& path) {
    if (auto text = read_scalar(ctx_, item, path)) out.push_back(std::move(*text));
  });
}

void MapReader::for_each_entry(
    std::size_t max_entries,
    const std::function<void(const std::string&, const YAML::Node&, const std::string&)>& entry) {
  if (!ok_) return;
  if (entries_.size() > max_entries) {
    ctx_.error(mark_, path_,
               "too many entries (" + std::to_string(entries_.size()) + "; the limit is " +
                   std::to_string(max_entries) + ")");
    return;
  }
  for (auto& e : entries_) {
    if (ctx_.exhausted()) return;
    e.known = true;
    ctx_.record(child(e.key), e.key_mark);
    entry(e.key, e.value, child(e.key));
  }
}

void MapReader::finish() {
  for (const auto& entry : entries_) {
    if (entry.known) continue;
    ctx_.error(entry.key_mark, child(entry.key), "unknown key" + suggestion(entry.key, asked_));
  }
}

}  // namespace authgate::config::detail
