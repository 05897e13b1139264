// Apache AuthGroupFile parsing: `group: member member "quoted member"`.
#include "authgate/stores/group_file.hpp"

#include <algorithm>
#include <set>

#include "stores/line_reader.hpp"

namespace authgate::stores {
namespace {

using detail::Line;

LoadError line_error(std::string_view file, const Line& line, std::size_t index, std::string reason) {
  return LoadError{std::string(file), line.number, line.column(index), std::move(reason)};
}

/// Reads one member starting at text[i] (not a space), like ap_getword_conf: a word ends at whitespace;
/// a word opened by '"' or '\'' ends at the matching quote, and a backslash escapes that quote.
std::optional<std::string> read_member(std::string_view text, std::size_t& i) {
  std::string word;
  const char quote = text[i];
  if (quote != '"' && quote != '\'') {
    while (i < text.size() && !detail::is_space(text[i])) word += text[i++];
    return word;
  }
  for (++i; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == quote) {
      word += text[++i];
    } else if (text[i] == quote) {
      ++i;
      return word;
    } else {
      word += text[i];
    }
  }
  return std::nullopt;
}

using Members = std::map<std::string, std::set<std::string>, std::less<>>;  // group → members

std::optional<LoadError> check_name(std::string_view file, const Line& line, std::size_t at,
                                    std::string_view name, const FileLimits& limits, std::string_view what) {
  if (name.empty()) return line_error(file, line, at, "empty " + std::string(what) + " name");
  if (name.size() > limits.max_name_bytes) {
    return line_error(file, line, at,
                      std::string(what) + " name longer than " + std::to_string(limits.max_name_bytes));
  }
  if (std::any_of(name.begin(), name.end(), detail::is_control)) {
    return line_error(file, line, at, "control character in " + std::string(what) + " name");
  }
  // Why: names reach the upstream in X-Auth-User / X-Auth-Groups; a recipient strips whitespace at the
  // ends of a field value, and splits X-Auth-Groups on ',' (issue 11 F4).
  if (detail::is_space(name.front()) || detail::is_space(name.back())) {
    return line_error(file, line, at, std::string(what) + " name starts or ends with whitespace");
  }
  if (what == "group" && name.find(',') != std::string_view::npos) {
    return line_error(file, line, at, "',' in a group name: X-Auth-Groups is a comma-separated list");
  }
  return std::nullopt;
}

std::optional<LoadError> parse_line(std::string_view file, const Line& line, const FileLimits& limits,
                                    Members& groups) {
  const auto colon = line.text.find(':');
  if (colon == std::string_view::npos)
    return line_error(file, line, line.text.size(), "expected 'group: users'");
  auto group = line.text.substr(0, colon);
  while (!group.empty() && detail::is_space(group.back())) group.remove_suffix(1);
  if (auto error = check_name(file, line, 0, group, limits, "group")) return error;
  auto& members = groups[std::string(group)];
  const auto text = line.text;
  for (std::size_t i = colon + 1; i < text.size();) {
    if (detail::is_space(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    auto member = read_member(text, i);
    if (!member) return line_error(file, line, start, "unterminated quote");
    if (auto error = check_name(file, line, start, *member, limits, "user")) return error;
    members.insert(std::move(*member));
  }
  return std::nullopt;
}

}  // namespace

boost::system::result<GroupsByUser, LoadError> parse_group_file(std::string_view content,
                                                                std::string_view name,
                                                                const FileLimits& limits) {
  Members groups;
  const auto error = detail::for_each_line(
      content, name, limits, [&](const Line& line) { return parse_line(name, line, limits, groups); });
  if (error) return *error;
  GroupsByUser by_user;
  // Iterating groups in order appends each user's groups already sorted and unique.
  for (const auto& [group, members] : groups) {
    for (const auto& member : members) by_user[member].push_back(group);
  }
  return by_user;
}

}  // namespace authgate::stores
