// One digest-file line: its names, its fields and its HA1s.
#include "stores/digest_line.hpp"

#include "authgate/grammar/ascii.hpp"
#include "grammar/utf8.hpp"

namespace authgate::stores::detail {
namespace {

constexpr auto npos = std::string_view::npos;

LoadError line_error(std::string_view file, const Line& line, std::size_t index, std::string reason) {
  return LoadError{std::string(file), line.number, line.column(index), std::move(reason)};
}

/// One `TAG=hex` entry of an authgate line, at index `at` of the line.
std::optional<LoadError> parse_tagged_entry(std::string_view file, const Line& line, std::string_view entry,
                                            std::size_t at, DigestRecord& record) {
  if (entry.empty()) return line_error(file, line, at, "empty entry in the HA1 list");
  const auto equals = entry.find('=');
  if (equals == npos) {
    return line_error(file, line, at, "expected TAG=hex (MD5, SHA-256 or SHA-512-256) in the HA1 list");
  }
  // The tag is not quoted back: on a mangled line it could be part of an HA1.
  const auto hash = parse_digest_hash(entry.substr(0, equals));
  if (!hash) return line_error(file, line, at, "unknown hash tag (expected MD5, SHA-256 or SHA-512-256)");
  const std::string tag(to_string(*hash));
  auto& slot = record.ha1[static_cast<std::size_t>(*hash)];
  if (!slot.empty()) return line_error(file, line, at, tag + " given twice");
  const auto hex = entry.substr(equals + 1);
  if (!is_hex(hex, ha1_hex_size(*hash))) {
    return line_error(file, line, at + equals + 1,
                      tag + " HA1 must be " + std::to_string(ha1_hex_size(*hash)) + " hex digits");
  }
  slot = grammar::to_lower(hex);
  return std::nullopt;
}

/// The HA1 field: 32 hex digits (htdigest) when it has no '=', else comma-separated TAG=hex entries.
std::optional<LoadError> parse_ha1_field(std::string_view file, const Line& line, const DigestFields& fields,
                                         DigestRecord& record) {
  const auto field = fields.ha1;
  if (field.find('=') == npos) {
    if (field.empty()) return line_error(file, line, fields.ha1_offset, "missing HA1 after 'user:realm:'");
    if (!is_hex(field, ha1_hex_size(DigestHash::md5))) {
      return line_error(file, line, fields.ha1_offset,
                        "expected an htdigest MD5 HA1 (32 hex digits) or TAG=hex entries (e.g. SHA-256=…)");
    }
    record.ha1[static_cast<std::size_t>(DigestHash::md5)] = grammar::to_lower(field);
    return std::nullopt;
  }
  for (std::size_t pos = 0;;) {
    const auto comma = field.find(',', pos);
    const auto entry = field.substr(pos, comma == npos ? npos : comma - pos);
    if (auto error = parse_tagged_entry(file, line, entry, fields.ha1_offset + pos, record)) return error;
    if (comma == npos) return std::nullopt;
    pos = comma + 1;
  }
}

}  // namespace

std::optional<NameProblem> check_digest_name(std::string_view name, std::string_view what,
                                             std::size_t max_bytes) {
  const std::string noun(what);
  if (name.empty()) return NameProblem{0, "empty " + noun};
  if (name.size() > max_bytes) {
    return NameProblem{0, noun + " longer than " + std::to_string(max_bytes) + " bytes"};
  }
  for (std::size_t i = 0; i < name.size();) {
    char32_t code_point = 0;
    const std::size_t length = grammar::utf8_sequence(name, i, code_point);
    // RFC 7616 §4: user names (and realms, charset=UTF-8) are UTF-8; anything else could never be sent
    // as `username*` (RFC 8187) nor match what a client hashes.
    if (length == 0) return NameProblem{i, "invalid UTF-8 in " + noun};
    // Control characters (C0, DEL, C1) cannot be typed at a password prompt and would reach logs and
    // X-Auth-User.
    if (code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) {
      return NameProblem{i, "control character in " + noun};
    }
    if (code_point == ':') return NameProblem{i, "':' in " + noun};  // the field separator
    // An editor's byte order mark is invisible: a name holding it could never be typed.
    if (code_point == 0xFEFF) return NameProblem{i, "byte order mark (U+FEFF) in " + noun};
    i += length;
  }
  // X-Auth-User's recipient strips whitespace at the ends, and a configured realm never has it.
  if (is_space(name.front())) return NameProblem{0, noun + " starts or ends with whitespace"};
  if (is_space(name.back())) return NameProblem{name.size() - 1, noun + " starts or ends with whitespace"};
  return std::nullopt;
}

std::optional<DigestFields> split_digest_line(std::string_view text) noexcept {
  const auto first = text.find(':');
  if (first == npos) return std::nullopt;
  const auto second = text.find(':', first + 1);
  if (second == npos) return std::nullopt;
  auto ha1 = text.substr(second + 1);
  ha1 = ha1.substr(0, ha1.find(':'));  // like mod_authn_file's ap_getword(':'): later fields are ignored
  return DigestFields{text.substr(0, first), text.substr(first + 1, second - first - 1), ha1, second + 1};
}

bool is_hex(std::string_view text, std::size_t size) noexcept {
  if (text.size() != size) return false;
  for (const char c : text) {
    if (grammar::hex_value(c) < 0) return false;
  }
  return true;
}

boost::system::result<DigestRecord, LoadError> parse_digest_line(std::string_view file, const Line& line,
                                                                 std::size_t max_name_bytes) {
  const auto fields = split_digest_line(line.text);
  if (!fields) return line_error(file, line, line.text.size(), "expected 'user:realm:HA1'");
  if (auto problem = check_digest_name(fields->user, "user name", max_name_bytes)) {
    return line_error(file, line, problem->index, std::move(problem->reason));
  }
  if (auto problem = check_digest_name(fields->realm, "realm", max_name_bytes)) {
    return line_error(file, line, fields->user.size() + 1 + problem->index, std::move(problem->reason));
  }
  DigestRecord record{std::string(fields->user), std::string(fields->realm), {}, line.number};
  if (auto error = parse_ha1_field(file, line, *fields, record)) return *error;
  return record;
}

}  // namespace authgate::stores::detail
