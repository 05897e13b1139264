#pragma once
// Apache AuthGroupFile (mod_authz_groupfile): `group: user1 user2 …`, one group per line, a group may
// span several lines; members are separated by whitespace and may be quoted ("john doe") like
// ap_getword_conf. Blank lines and '#' comments are ignored.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "authgate/stores/load_error.hpp"

namespace authgate::stores {

/// user → the groups that name them, each list sorted and without duplicates.
using GroupsByUser = std::map<std::string, std::vector<std::string>, std::less<>>;

/// Parses group-file content. Refuses the whole file on a line without ':', an empty or overlong group
/// name, an unterminated quote, control characters, or a size limit.
boost::system::result<GroupsByUser, LoadError> parse_group_file(std::string_view content,
                                                                std::string_view name,
                                                                const FileLimits& limits = {});

}  // namespace authgate::stores
