#pragma once
// Internal: the rules of one digest-file line (authgate/stores/digest_store.hpp), shared by the parser and
// the editor so that what one writes the other reads.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "authgate/stores/digest_store.hpp"
#include "authgate/stores/load_error.hpp"
#include "stores/line_reader.hpp"

namespace authgate::stores::detail {

/// Where a user name or realm breaks the rules: the offending byte's index and one sentence.
struct NameProblem {
  std::size_t index = 0;
  std::string reason;
};

/// Checks a user name or realm (`what` names it in the reason): non-empty, at most `max_bytes`, no ':',
/// well-formed UTF-8 without control characters (C0, DEL, C1) or U+FEFF, no whitespace at either end.
std::optional<NameProblem> check_digest_name(std::string_view name, std::string_view what,
                                             std::size_t max_bytes);

/// A meaningful line taken apart at its first two ':'; `ha1` ends at a third ':' (later fields are
/// comments, as for mod_authn_file).
struct DigestFields {
  std::string_view user, realm, ha1;
  std::size_t ha1_offset = 0;  // index of ha1[0] in the line
};

/// nullopt when the line has fewer than two ':'.
std::optional<DigestFields> split_digest_line(std::string_view text) noexcept;

/// True when `text` is exactly `size` hex digits, in either case.
bool is_hex(std::string_view text, std::size_t size) noexcept;

/// Parses one meaningful line (from for_each_line) into a record with lower-case HA1s. Duplicates and the
/// record count are the caller's to check.
boost::system::result<DigestRecord, LoadError> parse_digest_line(std::string_view file, const Line& line,
                                                                 std::size_t max_name_bytes);

}  // namespace authgate::stores::detail
