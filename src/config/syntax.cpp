// Lexical checks of configuration values.
#include "config/syntax.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>

namespace authgate::config {
namespace {

bool is_alnum(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_tchar(char c) noexcept {
  constexpr std::string_view extra = "!#$%&'*+-.^_`|~";
  return is_alnum(c) || extra.find(c) != std::string_view::npos;
}

bool is_label(std::string_view label) noexcept {
  if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
  return std::all_of(label.begin(), label.end(), [](char c) { return is_alnum(c) || c == '-' || c == '_'; });
}

}  // namespace

bool is_token(std::string_view text) noexcept {
  return !text.empty() && std::all_of(text.begin(), text.end(), is_tchar);
}

bool is_name(std::string_view text) noexcept {
  if (text.empty() || text.size() > 128) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return is_alnum(c) || c == '_' || c == '-' || c == '.' || c == '[' || c == ']';
  });
}

bool is_dns_name(std::string_view text) noexcept {
  if (text.empty() || text.size() > 253) return false;
  while (true) {
    const std::size_t dot = text.find('.');
    if (!is_label(text.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    text.remove_prefix(dot + 1);
  }
}

bool is_ip_literal(std::string_view text) noexcept {
  return boost::urls::parse_ipv4_address(text).has_value() ||
         boost::urls::parse_ipv6_address(text).has_value();
}

std::optional<std::string> host_pattern_problem(std::string_view pattern) {
  if (pattern.empty()) return "a host must not be empty";
  if (pattern.find(':') != std::string_view::npos && pattern.front() != '[') {
    return "a host pattern has no port (hosts are matched without the port)";
  }
  if (pattern.front() == '[') {
    if (pattern.back() != ']' || !boost::urls::parse_ipv6_address(pattern.substr(1, pattern.size() - 2))) {
      return "expected a bracketed IPv6 address such as [::1]";
    }
    return std::nullopt;
  }
  if (pattern.starts_with("*.")) {
    if (!is_dns_name(pattern.substr(2))) return "expected '*.' followed by a DNS name";
    return std::nullopt;
  }
  if (pattern.find('*') != std::string_view::npos)
    return "'*' is allowed only as a whole first label ('*.example.org')";
  if (std::any_of(pattern.begin(), pattern.end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return "expected lower case";
  }
  if (!is_dns_name(pattern)) return "expected a DNS name, '*.<DNS name>', an IPv4 address or [IPv6]";
  return std::nullopt;
}

bool is_loopback_address(std::string_view address) noexcept {
  if (address == "localhost") return true;
  if (const auto v4 = boost::urls::parse_ipv4_address(address)) return (v4->to_uint() >> 24) == 127;
  if (const auto v6 = boost::urls::parse_ipv6_address(address)) {
    if (v6->is_loopback()) return true;
    return v6->is_v4_mapped() && (v6->to_bytes()[12] == 127);
  }
  return false;
}

std::optional<std::string> unreadable_file_problem(const std::string& path) {
  if (path.empty()) return "no file named";
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) return "cannot read " + path_in_quotes(path) + ": no such file";
  if (!std::filesystem::is_regular_file(status))
    return "cannot read " + path_in_quotes(path) + ": not a regular file";
  if (::access(path.c_str(), R_OK) != 0) return "cannot read " + path_in_quotes(path) + ": permission denied";
  return std::nullopt;
}

std::string in_quotes(std::string_view value, std::size_t max_shown) {
  std::string out = "'";
  for (std::size_t i = 0; i < value.size() && i < max_shown; ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
  }
  if (value.size() > max_shown) out += "...";
  return out + "'";
}

}  // namespace authgate::config
