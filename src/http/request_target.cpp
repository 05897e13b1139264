#include "http/request_target.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>

#include "authgate/grammar/ascii.hpp"

namespace authgate::gateway {
namespace {

using grammar::hex_value;
using grammar::is_unreserved;
using grammar::to_lower;

constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// The escape at path[i] (decoding to `decoded`) means another path to a decoder that differs from ours
// in one common way (issue 11, the path class): %3B is a path parameter once decoded (servlet stacks);
// %25 followed by two hex digits is an escape once decoded a second time ("%252e%252e" → ".."); an
// overlong UTF-8 form (%C0%AE, %E0%80%AE, %F0%80%80%AE) is '.', '/' or '\' to a lenient UTF-8 decoder.
bool is_ambiguous_escape(std::string_view path, std::size_t i, char decoded) noexcept {
  const auto next_escape = [&](std::size_t at) {
    if (at + 2 >= path.size() || path[at] != '%') return -1;
    const int hi = hex_value(path[at + 1]);
    const int lo = hex_value(path[at + 2]);
    return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
  };
  if (decoded == ';') return true;
  if (decoded == '%')
    return i + 4 < path.size() && hex_value(path[i + 3]) >= 0 && hex_value(path[i + 4]) >= 0;
  const auto lead = static_cast<unsigned char>(decoded);
  const int second = next_escape(i + 3);
  if (lead == 0xC0 || lead == 0xC1) return second >= 0x80 && second <= 0xBF;
  if (lead == 0xE0) return second >= 0x80 && second <= 0x9F;
  if (lead == 0xF0) return second >= 0x80 && second <= 0x8F;
  return false;
}

// Percent-decodes unreserved characters and canonicalises the other escapes (RFC 3986 §6.2.2.1-2).
boost::system::result<std::string, TargetError> decode_unreserved(std::string_view path) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  std::size_t run = 0;  // start of the bytes not yet copied: copied a run at a time, not byte by byte
  for (std::size_t i = 0; i < path.size(); ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    // Why: a raw '\' is a path separator for some upstreams (IIS, Windows file servers), and a
    // control character has no meaning in a URI (RFC 3986 §2): either could make the upstream see
    // another path than the one we authorised.
    if (c < 0x20 || c == 0x7f || c == ' ' || c == '\\') return TargetError::bad_char;
    if (c != '%') continue;
    out.append(path.substr(run, i - run));
    run = i + 3;
    if (i + 2 >= path.size()) return TargetError::bad_percent;
    const int hi = hex_value(path[i + 1]);
    const int lo = hex_value(path[i + 2]);
    if (hi < 0 || lo < 0) return TargetError::bad_percent;
    const auto decoded = static_cast<char>(hi * 16 + lo);
    // Why: %00 truncates paths in C upstreams; %2F / %5C are one segment to us and a separator to
    // upstreams that decode before routing (CVE-2007-0450 style traversal). Both are refused.
    if (decoded == '\0') return TargetError::encoded_nul;
    if (decoded == '/' || decoded == '\\') return TargetError::encoded_slash;
    if (is_ambiguous_escape(path, i, decoded)) return TargetError::ambiguous_escape;
    if (is_unreserved(decoded)) {
      out.push_back(decoded);
    } else {
      out.push_back('%');
      out.push_back(hex[hi]);
      out.push_back(hex[lo]);
    }
    i += 2;
  }
  out.append(path.substr(std::min(run, path.size())));
  return out;
}

// True when no segment of `path` is empty or starts with '.': then it has no dot-segment and no repeated
// '/', and remove_dot_segments() would give it back unchanged. Most requests' paths are such.
bool is_plain_path(std::string_view path) noexcept {
  for (std::size_t i = 0; i + 1 < path.size(); ++i) {
    if (path[i] == '/' && (path[i + 1] == '/' || path[i + 1] == '.')) return false;
  }
  return true;
}

// RFC 3986 §5.2.4 remove_dot_segments on a path whose repeated '/' are merged: a stack of segments.
std::string resolve_dot_segments(std::string_view path) {
  // Inline room for the segments of any ordinary path: this runs for every request.
  boost::container::small_vector<std::string_view, 16> segments;
  bool trailing_slash = false;
  std::size_t pos = 1;  // path[0] == '/'
  while (pos <= path.size()) {
    const auto end = std::min(path.find('/', pos), path.size());
    const auto segment = path.substr(pos, end - pos);
    const bool last = end == path.size();
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
      trailing_slash = true;
    } else if (segment == "." || segment.empty()) {
      // Why: "//admin" must not slip past a "/admin" route to an upstream that merges slashes
      // (nginx merges them by default), so empty segments are merged here too.
      trailing_slash = true;
    } else {
      segments.push_back(segment);
      trailing_slash = false;
    }
    if (last) break;
    pos = end + 1;
  }
  std::string out;
  out.reserve(path.size());
  for (const auto segment : segments) {
    out.push_back('/');
    out.append(segment);
  }
  if (out.empty() || trailing_slash) out.push_back('/');
  return out;
}

std::string remove_dot_segments(std::string path) {
  if (is_plain_path(path)) return path;  // no second string, no segment stack
  return resolve_dot_segments(path);
}

// The path as servlet containers (Tomcat, Jetty, Spring) route it: each segment without its `;`
// parameters (`/admin;jsessionid=1/x` → `/admin/x`), empty segments merged. A segment that is "." or
// ".." once its parameters are gone (`/public/..;/admin`) is refused: those stacks read it as a dot-segment
// (issue 11 F3), and resolving it ourselves would forward a path that means one thing to the route
// table and another to the upstream.
boost::system::result<std::string, TargetError> path_without_parameters(std::string_view path) {
  std::string stripped;
  stripped.reserve(path.size());
  std::size_t pos = 1;
  while (pos <= path.size()) {
    const auto end = std::min(path.find('/', pos), path.size());
    const auto segment = path.substr(pos, end - pos);
    const auto semicolon = segment.find(';');
    const auto name = segment.substr(0, semicolon);
    if (semicolon != std::string_view::npos && (name == "." || name == "..")) {
      return TargetError::dot_segment_parameter;
    }
    stripped.push_back('/');
    stripped.append(name);
    pos = end + 1;
  }
  return remove_dot_segments(std::move(stripped));
}

// A DNS name or an IPv4 address: letters, digits, '-', '.' and '_' (seen in internal names). Why not all
// of RFC 3986 §3.2.2's reg-name: percent-encoding makes `secret%2eexample.org` the same host as
// `secret.example.org` (§6.2.2.2) to an upstream that decodes it, yet another string to our route table
// (issue 11 F7); sub-delims and '~' never occur in a name DNS resolves. Refusing them all leaves one
// spelling per host. Each allowed byte maps to its lower-case form, every other byte to 0: checking and
// lower-casing a name is one lookup per byte.
constexpr std::array<char, 256> host_name_bytes = [] {
  std::array<char, 256> table{};
  for (unsigned c = 0; c < 256; ++c) {
    const auto ch = static_cast<char>(c);
    if (is_alpha(ch)) table[c] = to_lower(ch);
    if (is_digit(ch) || ch == '-' || ch == '.' || ch == '_') table[c] = ch;
  }
  return table;
}();

/// `host` lower-cased into `out`, or false when a byte is not allowed in a name (host_name_bytes).
bool lower_host_name(std::string_view host, char* out) noexcept {
  for (const char c : host) {
    const char allowed = host_name_bytes[static_cast<unsigned char>(c)];
    if (allowed == 0) return false;
    *out++ = allowed;
  }
  return true;
}

bool valid_ipv6_literal(std::string_view literal) noexcept {
  if (literal.empty()) return false;
  for (const char c : literal) {
    if (hex_value(c) < 0 && c != ':' && c != '.') return false;
  }
  return true;
}

bool valid_port(std::string_view port) noexcept {
  if (port.size() > 5) return false;
  for (const char c : port) {
    if (!is_digit(c)) return false;
  }
  return true;
}

}  // namespace

std::string_view to_string(TargetError error) noexcept {
  switch (error) {
    case TargetError::empty:
      return "empty";
    case TargetError::not_origin_form:
      return "not_origin_form";
    case TargetError::bad_percent:
      return "bad_percent";
    case TargetError::encoded_nul:
      return "encoded_nul";
    case TargetError::encoded_slash:
      return "encoded_slash";
    case TargetError::bad_char:
      return "bad_char";
    case TargetError::userinfo:
      return "userinfo";
    case TargetError::bad_host:
      return "bad_host";
    case TargetError::dot_segment_parameter:
      return "dot_segment_parameter";
    case TargetError::ambiguous_escape:
      return "ambiguous_escape";
  }
  return "unknown";
}

boost::system::result<std::string, TargetError> normalize_path(std::string_view path) {
  if (path.empty()) return TargetError::empty;
  if (path.front() != '/') return TargetError::not_origin_form;
  auto decoded = decode_unreserved(path);
  if (!decoded) return decoded.error();
  return remove_dot_segments(std::move(*decoded));
}

boost::system::result<RequestTarget, TargetError> parse_request_target(std::string_view target) {
  if (target.empty()) return TargetError::empty;
  RequestTarget out;
  if (target == "*") {
    out.path = "*";
    return out;
  }
  if (target.front() != '/') {
    // absolute-form (RFC 9112 §3.2.2): scheme "://" authority path-abempty [ "?" query ]
    const auto colon = target.find("://");
    if (colon == std::string_view::npos) return TargetError::not_origin_form;
    std::string scheme;
    for (const char c : target.substr(0, colon)) scheme.push_back(to_lower(c));
    if (scheme != "http" && scheme != "https") return TargetError::not_origin_form;
    auto rest = target.substr(colon + 3);
    const auto end = std::min(rest.find_first_of("/?#"), rest.size());
    out.authority = std::string{rest.substr(0, end)};
    // Why: RFC 9110 §4.2.4 forbids userinfo in http(s) URIs; a sender using it is phishing or confused.
    if (out.authority.find('@') != std::string::npos) return TargetError::userinfo;
    if (!parse_host(out.authority)) return TargetError::bad_host;
    target = rest.substr(end);
    if (target.empty() || target.front() == '?') {
      out.path = "/";
    }
  }
  const auto question = target.find('?');
  const auto raw_path = target.substr(0, question);
  if (question != std::string_view::npos) {
    out.has_query = true;
    out.query = std::string{target.substr(question + 1)};
  }
  if (!raw_path.empty()) {
    auto path = normalize_path(raw_path);
    if (!path) return path.error();
    out.path = std::move(*path);
  }
  if (out.path.find(';') != std::string::npos) {
    auto route_path = path_without_parameters(out.path);
    if (!route_path) return route_path.error();
    out.route_path = std::move(*route_path);
  }
  if (out.query.find('#') != std::string::npos || out.path.find('#') != std::string::npos) {
    return TargetError::bad_char;  // a fragment is never sent (RFC 9110 §7.1)
  }
  for (const char c : out.query) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ') return TargetError::bad_char;
  }
  return out;
}

boost::system::result<std::string, TargetError> parse_host(std::string_view field) {
  std::string_view host = field;
  std::string_view port;
  if (!field.empty() && field.front() == '[') {
    const auto close = field.find(']');
    if (close == std::string_view::npos) return TargetError::bad_host;
    host = field.substr(1, close - 1);
    if (!valid_ipv6_literal(host)) return TargetError::bad_host;
    const auto after = field.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return TargetError::bad_host;
      port = after.substr(1);
    }
  } else {
    const auto colon = field.rfind(':');
    if (colon != std::string_view::npos) {
      host = field.substr(0, colon);
      port = field.substr(colon + 1);
    }
    // A fully qualified name's root dot (`example.org.`) names the same host (RFC 1034 §3.1); one
    // spelling goes to the route table. Two dots at the end are refused below.
    if (host.size() > 1 && host.back() == '.') host.remove_suffix(1);
    if (host.empty() || host.front() == '.' || host.back() == '.') return TargetError::bad_host;
  }
  if (!valid_port(port)) return TargetError::bad_host;
  const bool ipv6 = !field.empty() && field.front() == '[';
  // The route table spells IPv6 hosts in brackets; a short name stays in the string's own buffer.
  std::string out(host.size() + (ipv6 ? 2 : 0), ']');
  if (ipv6) {
    out.front() = '[';
    for (std::size_t i = 0; i < host.size(); ++i) out[i + 1] = to_lower(host[i]);
  } else if (!lower_host_name(host, out.data())) {
    return TargetError::bad_host;
  }
  return out;
}

}  // namespace authgate::gateway
