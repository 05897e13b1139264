// Line-preserving edits of htpasswd content.
#include "authgate/stores/htpasswd_edit.hpp"

#include <algorithm>

#include "stores/line_reader.hpp"

namespace authgate::stores {
namespace {

using detail::for_each_raw_line;
using detail::RawLine;

/// The user of an entry line as mod_authn_file sees it (surrounding whitespace stripped, up to ':'),
/// or nullopt for blank and comment lines.
std::optional<std::string_view> entry_user(std::string_view line) {
  std::size_t begin = 0, end = line.size();
  while (begin < end && detail::is_space(line[begin])) ++begin;
  while (end > begin && detail::is_space(line[end - 1])) --end;
  const auto text = line.substr(begin, end - begin);
  if (text.empty() || text.front() == '#') return std::nullopt;
  return text.substr(0, text.find(':'));
}

std::string_view entry_hash(std::string_view line) {
  auto rest = line.substr(line.find(':') + 1);
  rest = rest.substr(0, rest.find(':'));
  while (!rest.empty() && detail::is_space(rest.back())) rest.remove_suffix(1);
  return rest;
}

}  // namespace

std::string check_user_name(std::string_view user) {
  if (user.empty()) return "empty user name";
  if (user.size() > 255) return "user name longer than 255 bytes";
  if (user.find(':') != std::string_view::npos) return "user name contains ':'";
  if (std::any_of(user.begin(), user.end(), detail::is_control))
    return "user name contains a control character";
  if (user.front() == '#' || detail::is_space(user.front()) || detail::is_space(user.back())) {
    return "user name starts with '#' or starts or ends with whitespace";
  }
  return {};
}

std::optional<std::string> find_htpasswd_hash(std::string_view content, std::string_view user) {
  std::optional<std::string> found;
  for_each_raw_line(content, [&](const RawLine& line) {
    if (!found && entry_user(line.text) == user && line.text.find(':') != std::string_view::npos) {
      found = std::string(entry_hash(line.text));
    }
  });
  return found;
}

std::string set_htpasswd_user(std::string_view content, std::string_view user, std::string_view hash) {
  std::string out;
  bool replaced = false;
  for_each_raw_line(content, [&](const RawLine& line) {
    if (entry_user(line.text) != user) {
      out.append(line.text);
      if (line.has_newline) out += '\n';
      return;
    }
    if (replaced) return;  // a later duplicate: our loader would refuse the file
    replaced = true;
    out.append(user).append(":").append(hash);
    if (line.text.ends_with('\r')) out += '\r';
    out += '\n';
  });
  if (!replaced) {
    if (!out.empty() && out.back() != '\n') out += '\n';
    out.append(user).append(":").append(hash).append("\n");
  }
  return out;
}

std::optional<std::string> delete_htpasswd_user(std::string_view content, std::string_view user) {
  std::string out;
  bool removed = false;
  for_each_raw_line(content, [&](const RawLine& line) {
    if (entry_user(line.text) == user) {
      removed = true;
      return;
    }
    out.append(line.text);
    if (line.has_newline) out += '\n';
  });
  if (!removed) return std::nullopt;
  return out;
}

}  // namespace authgate::stores
