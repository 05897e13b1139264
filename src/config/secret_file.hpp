#pragma once
// Secrets kept in files (an introspection client secret, a Digest nonce secret): read once, bounded, with
// the newline an editor or `echo` adds removed. Internal to the config layer.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace authgate::config::detail {

inline constexpr std::size_t max_secret_bytes = 4096;

/// The file's bytes minus one trailing "\n" or "\r\n"; empty when the file cannot be read or holds more
/// than max_secret_bytes (validate() refuses those first). Bytes read beyond the secret are wiped.
std::string read_secret_file(const std::string& path);

/// Why `path` cannot serve as a secret file of at least `min_bytes` (unreadable, over max_secret_bytes,
/// empty or too short once the trailing newline is removed), for validate(); nullopt when it can.
std::optional<std::string> secret_file_problem(const std::string& path, std::size_t min_bytes = 1);

/// True when `text` holds a C0 control character or DEL: it could not travel in a header field.
bool has_control_character(std::string_view text) noexcept;

/// has_control_character() of the secret in `path`, as read_secret_file reads it.
bool holds_control_character(const std::string& path);

}  // namespace authgate::config::detail
