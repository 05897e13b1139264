#pragma once
// Lexical checks of configuration values: names, HTTP tokens, host patterns, listen addresses.

#include <optional>
#include <string>
#include <string_view>

#include "authgate/grammar/ascii.hpp"

namespace authgate::config {

/// RFC 9110 §5.6.2 token: header field names and methods.
bool is_token(std::string_view text) noexcept;

/// Names of listeners, upstreams, stores, realms and routes: 1..128 of [A-Za-z0-9_.-] (and '[', ']' for
/// the defaulted "routes[3]" form).
bool is_name(std::string_view text) noexcept;

/// A DNS host name: dot-separated labels of letters, digits, '-' and '_' (1..63 bytes, no leading or
/// trailing '-'), at most 253 bytes in all.
bool is_dns_name(std::string_view text) noexcept;

/// Why `pattern` is not a route host pattern, or nullopt when it is one. Patterns are a DNS name, a
/// wildcard "*.<DNS name>", an IPv4 address or a bracketed IPv6 address; expected lower-case.
std::optional<std::string> host_pattern_problem(std::string_view pattern);

/// True for an IPv4 or IPv6 literal (IPv6 without brackets).
bool is_ip_literal(std::string_view text) noexcept;

/// True for "localhost", 127.0.0.0/8 and ::1 (and ::ffff:127.x.y.z).
bool is_loopback_address(std::string_view address) noexcept;

/// Why the file at `path` cannot be read, or nullopt when it is a readable regular file.
std::optional<std::string> unreadable_file_problem(const std::string& path);

/// `value` in single quotes for a message: cut to `max_shown` bytes, control characters shown as '?'.
std::string in_quotes(std::string_view value, std::size_t max_shown = 64);
/// A file path in quotes, whole: a cut path would hide the one part that names the file.
inline std::string path_in_quotes(std::string_view path) { return in_quotes(path, 4096); }

/// ASCII lower/upper case copies (one definition, in the grammar layer).
using grammar::to_lower;
using grammar::to_upper;

}  // namespace authgate::config
