#pragma once
// What bench/compare's load client reads back: one HTTP/1.1 response at the front of a buffer (status,
// framing, whether the connection closes) and the Digest SHA-256 challenge of a 401 (RFC 7616 §3.3).
// Enough HTTP for the servers of the comparison, not a general parser: no 1xx, no read-until-close body.

#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace loadbench {

struct Reply {
  int status = 0;
  std::size_t size = 0;     // bytes of the whole response (head and body) at the buffer's front
  bool close = false;       // the server closes the connection after it
  std::string_view digest;  // a WWW-Authenticate value offering Digest algorithm=SHA-256, if any
};

enum class Parsed { incomplete, done, bad };

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  }
  return true;
}

inline bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

inline int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// Bytes of a chunked body starting at `at` (RFC 9112 §7.1): nullopt while incomplete, SIZE_MAX if broken.
inline std::optional<std::size_t> chunked_size(std::string_view buffer, std::size_t at) {
  const std::size_t start = at;
  for (;;) {
    const std::size_t eol = buffer.find("\r\n", at);
    if (eol == std::string_view::npos) return std::nullopt;
    std::size_t chunk = 0;
    std::size_t i = at;
    for (; i < eol && hex_value(buffer[i]) >= 0; ++i)
      chunk = chunk * 16 + static_cast<std::size_t>(hex_value(buffer[i]));
    if (i == at || i - at > 8) return SIZE_MAX;
    if (chunk == 0) {  // the last chunk: trailer fields, if any, up to an empty line
      const std::size_t end = buffer.find("\r\n\r\n", eol);
      if (end == std::string_view::npos) return std::nullopt;
      return end + 4 - start;
    }
    at = eol + 2 + chunk + 2;
    if (at > buffer.size()) return std::nullopt;
  }
}

/// The value of auth-param `name` in one Digest challenge (quoted-string or token; escapes are not
/// expected in what the servers send), or empty.
inline std::string param(std::string_view challenge, std::string_view name) {
  std::size_t at = challenge.find(' ');
  while (at != std::string_view::npos && at < challenge.size()) {
    const std::size_t eq = challenge.find('=', at);
    if (eq == std::string_view::npos) return {};
    const std::string_view key = trim(challenge.substr(at, eq - at));
    std::size_t end = 0;
    std::string_view value;
    if (eq + 1 < challenge.size() && challenge[eq + 1] == '"') {
      end = challenge.find('"', eq + 2);
      if (end == std::string_view::npos) return {};
      value = challenge.substr(eq + 2, end - eq - 2);
      end = challenge.find(',', end);
    } else {
      end = challenge.find(',', eq);
      value = trim(challenge.substr(eq + 1, end == std::string_view::npos ? end : end - eq - 1));
    }
    if (iequals(key, name)) return std::string(value);
    at = end == std::string_view::npos ? end : end + 1;
  }
  return {};
}

/// The response at the front of `buffer`.
inline Parsed parse_reply(std::string_view buffer, Reply& out) {
  const std::size_t head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return buffer.size() > 65536 ? Parsed::bad : Parsed::incomplete;
  const std::string_view head = buffer.substr(0, head_end + 2);
  if (!head.starts_with("HTTP/1.") || head.size() < 12) return Parsed::bad;
  out = Reply{};
  const auto [code_end, code_error] = std::from_chars(head.data() + 9, head.data() + 12, out.status);
  if (code_error != std::errc{} || code_end != head.data() + 12) return Parsed::bad;
  out.close = head.starts_with("HTTP/1.0");
  std::optional<std::size_t> length;
  bool chunked = false;
  for (std::size_t at = head.find("\r\n") + 2; at < head.size();) {
    const std::size_t eol = head.find("\r\n", at);
    const std::string_view line = head.substr(at, eol - at);
    at = eol + 2;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Parsed::bad;
    const std::string_view name = line.substr(0, colon);
    const std::string_view value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      std::size_t n = 0;
      const auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (error != std::errc{} || end != value.data() + value.size()) return Parsed::bad;
      length = n;
    }
    if (iequals(name, "transfer-encoding")) chunked = iequals(value, "chunked");
    if (iequals(name, "connection")) out.close = iequals(value, "close");
    if (iequals(name, "www-authenticate") && istarts_with(value, "digest ") &&
        iequals(param(value, "algorithm"), "SHA-256"))
      out.digest = value;
  }
  const std::size_t body = head_end + 4;
  if (chunked) {
    const auto size = chunked_size(buffer, body);
    if (!size) return Parsed::incomplete;
    if (*size == SIZE_MAX) return Parsed::bad;
    out.size = body + *size;
    return Parsed::done;
  }
  if (!length && out.status != 204 && out.status != 304) return Parsed::bad;  // read-until-close: not here
  out.size = body + length.value_or(0);
  return buffer.size() < out.size ? Parsed::incomplete : Parsed::done;
}

}  // namespace loadbench
