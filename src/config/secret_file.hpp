#pragma once
// Secrets kept in files (an introspection client secret, a Digest nonce secret): read once, bounded, with
// the newline an editor or `echo` adds removed. Internal to the config layer.

#include <cstddef>
#include <string>

namespace authgate::config::detail {

inline constexpr std::size_t max_secret_bytes = 4096;

/// The file's bytes minus one trailing "\n" or "\r\n"; empty when the file cannot be read or holds more
/// than max_secret_bytes (validate() refuses those first). Bytes read beyond the secret are wiped.
std::string read_secret_file(const std::string& path);

}  // namespace authgate::config::detail
