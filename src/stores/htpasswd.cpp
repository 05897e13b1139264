// htpasswd content → UserRecords → an immutable store.
#include "authgate/stores/htpasswd.hpp"

#include <unordered_map>
#include <vector>

#include "authgate/stores/group_file.hpp"
#include "authgate/stores/memory_store.hpp"
#include "stores/line_reader.hpp"

namespace authgate::stores {
namespace {

LoadError line_error(std::string_view file, const detail::Line& line, std::size_t index, std::string reason) {
  return LoadError{std::string(file), line.number, line.column(index), std::move(reason)};
}

/// Checks a user name: non-empty, within the limit, no control characters (RFC 7617 §2 user-ids
/// cannot carry them, so such an entry could never sign in).
std::optional<LoadError> check_user(std::string_view file, const detail::Line& line, std::string_view user,
                                    const FileLimits& limits) {
  if (user.empty()) return line_error(file, line, 0, "empty user name");
  if (user.size() > limits.max_name_bytes) {
    return line_error(file, line, 0,
                      "user name longer than " + std::to_string(limits.max_name_bytes) + " bytes");
  }
  for (std::size_t i = 0; i < user.size(); ++i) {
    if (detail::is_control(user[i])) return line_error(file, line, i, "control character in user name");
  }
  // The name reaches the upstream in X-Auth-User, whose recipient strips whitespace at the ends.
  if (detail::is_space(user.front()) || detail::is_space(user.back())) {
    return line_error(file, line, 0, "user name starts or ends with whitespace");
  }
  return std::nullopt;
}

/// Parses one `user:hash[:ignored]` line into a record.
boost::system::result<UserRecord, LoadError> parse_entry(std::string_view file, const detail::Line& line,
                                                         const FileLimits& limits) {
  const auto colon = line.text.find(':');
  if (colon == std::string_view::npos)
    return line_error(file, line, line.text.size(), "expected 'user:hash'");
  const auto user = line.text.substr(0, colon);
  if (auto error = check_user(file, line, user, limits)) return *error;
  // Like mod_authn_file (ap_getword ':'), the hash ends at the next ':'; later fields are comments.
  auto hash = line.text.substr(colon + 1);
  hash = hash.substr(0, hash.find(':'));
  if (auto problem = check_hash(hash, limits.cost); !problem.empty()) {
    return line_error(file, line, colon + 1, std::move(problem));
  }
  return UserRecord{std::string(user), std::string(hash), classify_hash(hash), line.number};
}

boost::system::result<std::vector<UserRecord>, LoadError> parse_entries(std::string_view content,
                                                                        std::string_view file,
                                                                        const FileLimits& limits) {
  std::vector<UserRecord> records;
  std::unordered_map<std::string_view, int> first_line;
  const auto error = detail::for_each_line(content, file, limits, [&](const detail::Line& line) {
    auto record = parse_entry(file, line, limits);
    if (!record) return std::optional<LoadError>(record.error());
    // Apache silently uses the first of two entries; a duplicate is almost always a mistake.
    if (auto it = first_line.find(line.text.substr(0, record->user.size())); it != first_line.end()) {
      return std::optional<LoadError>(line_error(
          file, line, 0,
          "duplicate user '" + record->user + "' (first on line " + std::to_string(it->second) + ")"));
    }
    first_line.emplace(line.text.substr(0, record->user.size()), line.number);
    records.push_back(std::move(*record));
    return std::optional<LoadError>();
  });
  if (error) return *error;
  return records;
}

}  // namespace

boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> parse_htpasswd(
    std::string_view htpasswd_content, std::string_view htpasswd_name, std::string_view groups_content,
    std::string_view groups_name, std::uint64_t generation, const FileLimits& limits) {
  auto records = parse_entries(htpasswd_content, htpasswd_name, limits);
  if (!records) return records.error();
  auto groups = parse_group_file(groups_content, groups_name, limits);
  if (!groups) return groups.error();
  auto dummy = make_dummy_hash(*records);
  if (!dummy) {
    return LoadError{std::string(htpasswd_name), 0, 0,
                     "cannot create the dummy hash: " + dummy.error().message()};
  }
  return make_memory_store(std::move(*records), std::move(*groups), std::move(*dummy), generation);
}

boost::system::result<std::shared_ptr<const PasswordStore>, LoadError> load_htpasswd(
    const std::string& htpasswd_path, const std::string& groups_path, std::uint64_t generation,
    const FileLimits& limits) {
  auto users = read_store_file(htpasswd_path, limits.max_file_bytes);
  if (!users) return users.error();
  std::string groups;
  if (!groups_path.empty()) {
    auto content = read_store_file(groups_path, limits.max_file_bytes);
    if (!content) return content.error();
    groups = std::move(*content);
  }
  return parse_htpasswd(*users, htpasswd_path, groups, groups_path, generation, limits);
}

}  // namespace authgate::stores
