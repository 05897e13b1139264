// Line-preserving edits of digest files (htdigest's and authgate's format).
#include "authgate/stores/digest_edit.hpp"

#include <utility>

#include "authgate/grammar/ascii.hpp"
#include "stores/digest_line.hpp"
#include "stores/line_reader.hpp"

namespace authgate::stores {
namespace {

using detail::for_each_raw_line;
using detail::RawLine;

void append_line(std::string& out, const RawLine& line) {
  out.append(line.text);
  if (line.has_newline) out += '\n';
}

/// The (user, realm) of a line as parse_digest_store reads it (surrounding whitespace stripped, fields up
/// to ':'), or nullopt for blank and comment lines and lines with fewer than two ':'.
std::optional<std::pair<std::string_view, std::string_view>> line_key(std::string_view line) {
  std::size_t begin = 0, end = line.size();
  while (begin < end && detail::is_space(line[begin])) ++begin;
  while (end > begin && detail::is_space(line[end - 1])) --end;
  const auto text = line.substr(begin, end - begin);
  if (text.empty() || text.front() == '#') return std::nullopt;
  const auto fields = detail::split_digest_line(text);
  if (!fields) return std::nullopt;
  return std::pair{fields->user, fields->realm};
}

std::string check_name(std::string_view name, std::string_view what) {
  auto problem = detail::check_digest_name(name, what, DigestLimits{}.max_name_bytes);
  return problem ? std::move(problem->reason) : std::string{};
}

/// Why `record` cannot be written (empty string = it can).
std::string check_record(const DigestRecord& record) {
  if (auto problem = check_digest_user(record.user); !problem.empty()) return problem;
  if (auto problem = check_digest_realm(record.realm); !problem.empty()) return problem;
  bool any = false;
  for (const DigestHash hash : all_digest_hashes) {
    const auto hex = record.ha1_hex(hash);
    if (hex.empty()) continue;
    any = true;
    if (!detail::is_hex(hex, ha1_hex_size(hash))) {  // never quoted: it is a password equivalent
      return std::string(to_string(hash)) + " HA1 must be " + std::to_string(ha1_hex_size(hash)) +
             " hex digits";
    }
  }
  return any ? std::string{} : "no HA1 given";
}

void append_lower(std::string& out, std::string_view hex) {
  for (const char c : hex) out += grammar::to_lower(c);
}

}  // namespace

std::string check_digest_user(std::string_view user) {
  if (auto problem = check_name(user, "user name"); !problem.empty()) return problem;
  if (user.front() == '#') return "user name starts with '#' (the line would be a comment)";
  return {};
}

std::string check_digest_realm(std::string_view realm) { return check_name(realm, "realm"); }

std::string format_digest_line(const DigestRecord& record) {
  std::string line;
  line.reserve(record.user.size() + record.realm.size() + 200);
  line.append(record.user).append(":").append(record.realm).append(":");
  if (record.ha1_hex(DigestHash::sha256).empty() && record.ha1_hex(DigestHash::sha512_256).empty()) {
    append_lower(line, record.ha1_hex(DigestHash::md5));  // htdigest's own format: Apache reads it too
    return line;
  }
  bool first = true;
  for (const DigestHash hash : {DigestHash::sha256, DigestHash::sha512_256, DigestHash::md5}) {
    if (record.ha1_hex(hash).empty()) continue;
    if (!first) line += ',';
    first = false;
    line.append(to_string(hash)).append("=");
    append_lower(line, record.ha1_hex(hash));
  }
  return line;
}

boost::system::result<DigestEdit, std::string> upsert_digest_line(std::string_view content,
                                                                  const DigestRecord& record) {
  if (auto problem = check_record(record); !problem.empty()) {
    return {boost::system::in_place_error, std::move(problem)};
  }
  const std::pair<std::string_view, std::string_view> key{record.user, record.realm};
  DigestEdit edit;
  edit.content.reserve(content.size() + record.user.size() + record.realm.size() + 200);
  for_each_raw_line(content, [&](const RawLine& line) {
    if (line_key(line.text) != key) return append_line(edit.content, line);
    if (edit.replaced) return;  // a later duplicate: our loader would refuse the file
    edit.replaced = true;
    edit.content.append(format_digest_line(record));
    if (line.text.ends_with('\r')) edit.content += '\r';
    edit.content += '\n';
  });
  if (!edit.replaced) {
    if (!edit.content.empty() && edit.content.back() != '\n') edit.content += '\n';
    edit.content.append(format_digest_line(record)).append("\n");
  }
  return edit;
}

std::optional<std::string> delete_digest_line(std::string_view content, std::string_view user,
                                              std::string_view realm) {
  const std::pair key{user, realm};
  std::string out;
  bool removed = false;
  for_each_raw_line(content, [&](const RawLine& line) {
    if (line_key(line.text) == key) {
      removed = true;
      return;
    }
    append_line(out, line);
  });
  if (!removed) return std::nullopt;
  return out;
}

}  // namespace authgate::stores
