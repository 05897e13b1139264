#include "http/field_lines.hpp"

#include <cstring>
#include <stdexcept>

#include "http/headers.hpp"

namespace authgate::gateway {
namespace {

constexpr std::string_view separator = ": ";
constexpr std::string_view line_end = "\r\n";

std::size_t joined_size(const std::vector<std::string>& list) {
  std::size_t size = 0;
  bool any = false;
  for (const auto& item : list) {
    size += (any ? 1 : 0) + item.size();
    any = any || !item.empty();
  }
  return size;
}

char* put(char* out, std::string_view text) {
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

// The same bytes as join_groups(): a ',' before every item once something was written.
char* put_joined(char* out, const std::vector<std::string>& list) {
  bool any = false;
  for (const auto& item : list) {
    if (any) *out++ = ',';
    out = put(out, item);
    any = any || !item.empty();
  }
  return out;
}

}  // namespace

void FieldLines::push(Line line) {
  if (count_ == capacity) throw std::logic_error{"FieldLines: more fields than its capacity"};
  lines_[count_++] = line;
}

void FieldLines::add(std::string_view name, std::string_view value) { push({name, value, nullptr}); }

void FieldLines::add_joined(std::string_view name, const std::vector<std::string>& list) {
  push({name, {}, &list});
}

std::string_view FieldLines::write(HeadArena& arena) const {
  std::size_t size = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    const auto& line = lines_[i];
    const auto value_size = line.joined != nullptr ? joined_size(*line.joined) : line.value.size();
    size += line.name.size() + separator.size() + value_size + line_end.size();
  }
  if (size == 0) return {};
  auto* const begin = static_cast<char*>(arena.allocate(size, 1));
  char* out = begin;
  for (std::size_t i = 0; i < count_; ++i) {
    const auto& line = lines_[i];
    out = put(put(out, line.name), separator);
    out = line.joined != nullptr ? put_joined(out, *line.joined) : put(out, line.value);
    out = put(out, line_end);
  }
  return {begin, size};
}

void FieldLines::insert_into(Fields& fields) const {
  for (std::size_t i = 0; i < count_; ++i) {
    const auto& line = lines_[i];
    if (line.joined == nullptr) {
      fields.insert(line.name, line.value);
      continue;
    }
    fields.insert(line.name, join_groups(*line.joined));
  }
}

}  // namespace authgate::gateway
