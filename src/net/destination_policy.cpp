// Destination checks for the forward proxy: the special-purpose addresses of RFC 6890, operator-listed
// ranges, host patterns and ports, and the CONNECT authority-form (RFC 9110 §9.3.6).
#include "net/destination_policy.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

#include "authgate/grammar/ascii.hpp"

namespace authgate::net {
namespace {

using boost::asio::ip::address;
using boost::asio::ip::address_v4;
using boost::asio::ip::address_v6;
using Bytes = address_v6::bytes_type;

constexpr std::size_t max_name = 253;  // RFC 1035 §2.3.4: 255 octets on the wire, 253 as text
constexpr std::size_t max_label = 63;  // RFC 1035 §2.3.4
constexpr std::size_t max_ipv6 = 45;   // INET6_ADDRSTRLEN - 1, "ffff:...:255.255.255.255"
constexpr std::size_t max_port = 5;    // "65535"
constexpr std::size_t max_authority = 1 + max_name + 1 + 1 + max_port;  // name, root dot, ':', port

// --- Special-purpose addresses -----------------------------------------------------------------

struct V4Block {
  std::uint32_t network;
  unsigned prefix;
};

constexpr std::uint32_t v4(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

// RFC 6890 §2.2.2 and its IANA registry: the IPv4 blocks whose "Global" is False, plus multicast and the
// reserved 240/4. A proxy that connects to them is a door into its own network (loopback services, cloud
// metadata at 169.254.169.254, RFC 1918 hosts); an operator who means it lists them in AddressRanges.
constexpr V4Block internal_v4_blocks[] = {
    {v4(0, 0, 0, 0), 8},        // "this network": Linux connects 0.0.0.0 to the local host
    {v4(10, 0, 0, 0), 8},       // private-use (RFC 1918)
    {v4(100, 64, 0, 0), 10},    // shared address space, CGNAT (RFC 6598)
    {v4(127, 0, 0, 0), 8},      // loopback
    {v4(169, 254, 0, 0), 16},   // link-local, where cloud metadata services answer
    {v4(172, 16, 0, 0), 12},    // private-use
    {v4(192, 0, 0, 0), 24},     // IETF protocol assignments
    {v4(192, 0, 2, 0), 24},     // TEST-NET-1: documentation never routes; networks that reuse it are ours
    {v4(192, 168, 0, 0), 16},   // private-use
    {v4(198, 18, 0, 0), 15},    // benchmarking (RFC 2544)
    {v4(198, 51, 100, 0), 24},  // TEST-NET-2
    {v4(203, 0, 113, 0), 24},   // TEST-NET-3
    {v4(224, 0, 0, 0), 4},      // multicast (RFC 5771)
    {v4(240, 0, 0, 0), 4},      // reserved, including the limited broadcast 255.255.255.255
};

bool internal_v4(const address_v4& a) noexcept {
  const std::uint32_t bits = a.to_uint();
  return std::any_of(std::begin(internal_v4_blocks), std::end(internal_v4_blocks), [bits](const V4Block& b) {
    const std::uint32_t mask = b.prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - b.prefix);
    return (bits & mask) == b.network;
  });
}

bool has_prefix(const Bytes& a, const Bytes& network, unsigned prefix) noexcept {
  const unsigned whole = prefix / 8;
  if (!std::equal(a.begin(), a.begin() + whole, network.begin())) return false;
  if (prefix % 8 == 0) return true;
  const auto mask = static_cast<unsigned char>(0xff << (8 - prefix % 8));
  return (a[whole] & mask) == (network[whole] & mask);
}

// What an IPv6 block means for the judgement: internal outright, or carrying an IPv4 address to judge.
enum class Kind : std::uint8_t { internal, v4_in_last_32, v4_after_16, teredo };

struct V6Block {
  std::array<std::uint16_t, 8> groups;
  unsigned prefix;
  Kind kind;
};

// RFC 6890 §2.2.3 and its IANA registry, first match wins. The IPv4-carrying forms are judged by that
// IPv4 address, because the packets end up there: a kernel connects ::ffff:127.0.0.1 to 127.0.0.1, a
// NAT64, 6to4 or Teredo relay forwards to the embedded address. The local-use NAT64 prefix is refused
// whole: its translator is in our network and the IPv4 address sits at an offset only the operator
// knows (RFC 6052 §2.2, RFC 8215).
constexpr V6Block v6_blocks[] = {
    {{0, 0, 0, 0, 0, 0, 0, 0}, 128, Kind::internal},              // unspecified
    {{0, 0, 0, 0, 0, 0, 0, 1}, 128, Kind::internal},              // loopback
    {{0, 0, 0, 0, 0, 0xffff, 0, 0}, 96, Kind::v4_in_last_32},     // IPv4-mapped (RFC 4291 §2.5.5.2)
    {{0, 0, 0, 0, 0xffff, 0, 0, 0}, 96, Kind::v4_in_last_32},     // IPv4-translated (RFC 2765 §2.1)
    {{0, 0, 0, 0, 0, 0, 0, 0}, 96, Kind::v4_in_last_32},          // IPv4-compatible (RFC 4291 §2.5.5.1)
    {{0x64, 0xff9b, 0, 0, 0, 0, 0, 0}, 96, Kind::v4_in_last_32},  // NAT64 well-known prefix (RFC 6052)
    {{0x64, 0xff9b, 1, 0, 0, 0, 0, 0}, 48, Kind::internal},       // NAT64 local-use (RFC 8215)
    {{0x100, 0, 0, 0, 0, 0, 0, 0}, 64, Kind::internal},           // discard-only (RFC 6666)
    {{0x2001, 0, 0, 0, 0, 0, 0, 0}, 32, Kind::teredo},            // Teredo (RFC 4380)
    {{0x2001, 0xdb8, 0, 0, 0, 0, 0, 0}, 32, Kind::internal},      // documentation (RFC 3849)
    {{0x2001, 0, 0, 0, 0, 0, 0, 0}, 23, Kind::internal},          // IETF protocol assignments, benchmarking
    {{0x2002, 0, 0, 0, 0, 0, 0, 0}, 16, Kind::v4_after_16},       // 6to4 (RFC 3056)
    {{0x3fff, 0, 0, 0, 0, 0, 0, 0}, 20, Kind::internal},          // documentation (RFC 9637)
    {{0xfc00, 0, 0, 0, 0, 0, 0, 0}, 7, Kind::internal},           // unique local (RFC 4193)
    {{0xfe80, 0, 0, 0, 0, 0, 0, 0}, 10, Kind::internal},          // link-local
    {{0xfec0, 0, 0, 0, 0, 0, 0, 0}, 10, Kind::internal},          // site-local (deprecated, RFC 3879)
    {{0xff00, 0, 0, 0, 0, 0, 0, 0}, 8, Kind::internal},           // multicast
};

Bytes to_bytes(const std::array<std::uint16_t, 8>& groups) noexcept {
  Bytes out{};
  for (std::size_t i = 0; i < groups.size(); ++i) {
    out[2 * i] = static_cast<unsigned char>(groups[i] >> 8);
    out[2 * i + 1] = static_cast<unsigned char>(groups[i] & 0xff);
  }
  return out;
}

address_v4 v4_at(const Bytes& b, std::size_t at, bool inverted = false) noexcept {
  address_v4::bytes_type out{b[at], b[at + 1], b[at + 2], b[at + 3]};
  if (inverted) {
    for (auto& byte : out) byte = static_cast<unsigned char>(~byte);
  }
  return address_v4(out);
}

bool internal_v6(const address_v6& a) noexcept {
  const Bytes bytes = a.to_bytes();
  for (const V6Block& block : v6_blocks) {
    if (!has_prefix(bytes, to_bytes(block.groups), block.prefix)) continue;
    switch (block.kind) {
      case Kind::internal:
        return true;
      case Kind::v4_in_last_32:
        return internal_v4(v4_at(bytes, 12));
      case Kind::v4_after_16:
        return internal_v4(v4_at(bytes, 2));
      case Kind::teredo:  // RFC 4380 §4: the server's address, then the client's with every bit flipped
        return internal_v4(v4_at(bytes, 4)) || internal_v4(v4_at(bytes, 12, true));
    }
  }
  return false;
}

// --- Text forms ---------------------------------------------------------------------------------

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

// Decimal without sign or leading zero, at most `max_digits` digits.
std::optional<std::uint32_t> parse_decimal(std::string_view s, std::size_t max_digits) noexcept {
  if (!all_digits(s) || s.size() > max_digits || (s.size() > 1 && s.front() == '0')) return std::nullopt;
  std::uint32_t value = 0;
  for (const char c : s) value = value * 10 + static_cast<std::uint32_t>(c - '0');
  return value;
}

std::optional<std::uint16_t> parse_port(std::string_view s) noexcept {
  const auto value = parse_decimal(s, max_port);
  if (!value || *value == 0 || *value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(*value);
}

// Exactly four decimal parts 0-255 without leading zeros: inet_aton would read "010" as octal 8.
std::optional<address_v4> parse_dotted_quad(std::string_view text) noexcept {
  address_v4::bytes_type bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::size_t dot = i + 1 < bytes.size() ? text.find('.') : text.size();
    if (dot == std::string_view::npos) return std::nullopt;
    const auto part = parse_decimal(text.substr(0, dot), 3);
    if (!part || *part > 255) return std::nullopt;
    bytes[i] = static_cast<unsigned char>(*part);
    text.remove_prefix(std::min(dot + 1, text.size()));
  }
  return address_v4(bytes);
}

// An IPv6 literal without brackets; a zone id ("%eth0") is refused by the character check.
std::optional<address_v6> parse_ipv6(std::string_view text) noexcept {
  if (text.empty() || text.size() > max_ipv6) return std::nullopt;
  for (const char c : text) {
    if (grammar::hex_value(c) < 0 && c != ':' && c != '.') return std::nullopt;
  }
  std::array<char, max_ipv6 + 1> terminated{};
  std::copy(text.begin(), text.end(), terminated.begin());
  boost::system::error_code ec;
  const address_v6 parsed = boost::asio::ip::make_address_v6(terminated.data(), ec);
  if (ec) return std::nullopt;
  return parsed;
}

// A dotted quad or a bracketed IPv6 literal; an IPv4-mapped IPv6 address is its IPv4 address (RFC 4291
// §2.5.5.2), so that one address has one spelling in host patterns.
std::optional<address> ip_literal(std::string_view host) noexcept {
  if (const auto ipv4 = parse_dotted_quad(host)) return address(*ipv4);
  if (host.size() < 2 || host.front() != '[' || host.back() != ']') return std::nullopt;
  const auto ipv6 = parse_ipv6(host.substr(1, host.size() - 2));
  if (!ipv6) return std::nullopt;
  if (!ipv6->is_v4_mapped()) return address(*ipv6);
  return address(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, *ipv6));
}

Bytes v6_bytes(const address& a) noexcept {
  if (a.is_v6()) return a.to_v6().to_bytes();
  return boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, a.to_v4()).to_bytes();
}

bool numeric_label(std::string_view label) noexcept {
  if (label.size() >= 2 && label[0] == '0' && grammar::to_lower(label[1]) == 'x') {
    label.remove_prefix(2);
    return std::all_of(label.begin(), label.end(), [](char c) { return grammar::hex_value(c) >= 0; });
  }
  return all_digits(label);
}

// Letters, digits, '-' (RFC 1123 §2.1 LDH); no '_', which Squid refuses as well.
bool is_ldh(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-';
}

// Why `name` (without its root dot) is not a DNS name we accept, or empty when it is one. A name whose
// last label is a number is refused: getaddrinfo hands "127.1", "0x7f000001" and "2130706433" to
// inet_aton, which reads each as 127.0.0.1, and no top-level domain is numeric (RFC 3696 §2).
std::string_view name_problem(std::string_view name) noexcept {
  if (name.empty()) return "is empty";
  if (name.size() > max_name) return "is longer than 253 bytes";
  std::size_t label_start = 0;
  for (std::size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') {
      if (!is_ldh(name[i])) return "has a character other than letters, digits, '-' and '.'";
      continue;
    }
    if (i == label_start) return "has an empty label";
    if (i - label_start > max_label) return "has a label longer than 63 bytes";
    label_start = i + 1;
  }
  if (numeric_label(name.substr(name.rfind('.') + 1))) {
    return "is a number but not a dotted-quad IPv4 address (a resolver would read \"127.1\" as 127.0.0.1)";
  }
  return {};
}

std::string_view without_root_dot(std::string_view name) noexcept {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return name;
}

// A config item inside an error sentence: quoted, printable, bounded.
std::string quoted(std::string_view item) {
  constexpr std::size_t shown = 80;
  std::string out = "\"";
  for (const char c : item.substr(0, shown)) out += (c >= 0x20 && c < 0x7f) ? c : '?';
  out += item.size() > shown ? "...\"" : "\"";
  return out;
}

}  // namespace

bool is_internal_address(const address& a) noexcept {
  return a.is_v4() ? internal_v4(a.to_v4()) : internal_v6(a.to_v6());
}

// --- AddressRanges ------------------------------------------------------------------------------

boost::system::result<AddressRanges, std::string> AddressRanges::parse(std::span<const std::string> items) {
  AddressRanges out;
  for (const std::string& item : items) {
    const std::size_t slash = item.find('/');
    const std::string_view text = std::string_view(item).substr(0, slash);
    if (text.find_first_of("[]") != std::string_view::npos) {
      return quoted(item) + ": write an address range without brackets, as in ::1 or fd00::/8";
    }
    const auto ipv4 = parse_dotted_quad(text);
    const auto ipv6 = ipv4 ? std::nullopt : parse_ipv6(text);
    if (!ipv4 && !ipv6) return quoted(item) + " is not an IPv4 or IPv6 address (or CIDR range)";
    const address network = ipv4 ? address(*ipv4) : address(*ipv6);
    const unsigned bits = ipv4 ? 32 : 128;
    std::optional<std::uint32_t> prefix = bits;
    if (slash != std::string::npos) prefix = parse_decimal(std::string_view(item).substr(slash + 1), 3);
    if (!prefix || *prefix > bits) {
      return quoted(item) + ": the prefix length must be 0-" + std::to_string(bits);
    }
    Range range{v6_bytes(network), *prefix + (128 - bits)};
    Bytes masked{};
    for (unsigned i = 0; i < range.prefix; ++i) masked[i / 8] |= range.network[i / 8] & (0x80U >> (i % 8));
    if (masked != range.network) {
      const address suggestion = ipv4 ? address(v4_at(masked, 12)) : address(address_v6(masked));
      return quoted(item) + ": host bits set; did you mean " + suggestion.to_string() + "/" +
             std::to_string(*prefix) + "?";
    }
    out.ranges_.push_back(range);
  }
  return out;
}

bool AddressRanges::contains(const address& a) const noexcept {
  const Bytes bytes = v6_bytes(a);
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [&bytes](const Range& r) { return has_prefix(bytes, r.network, r.prefix); });
}

// --- HostPatterns -------------------------------------------------------------------------------

boost::system::result<HostPatterns, std::string> HostPatterns::parse(std::span<const std::string> items) {
  HostPatterns out;
  for (const std::string& item : items) {
    const std::string_view text = item;
    if (text.empty()) return std::string("an empty host pattern (\"*\" allows any host)");
    if (const auto literal = ip_literal(text)) {
      out.addresses_.push_back(*literal);
      continue;
    }
    out.any_ = out.any_ || text == "*";
    if (text == "*") continue;
    if (text.front() == '[') return quoted(item) + " is not an IPv6 address in brackets";
    if (parse_ipv6(text)) return quoted(item) + ": an IPv6 address is written in brackets, as in [::1]";
    if (text.find(':') != std::string_view::npos) {
      return quoted(item) + ": a host pattern has no port (ports are listed separately)";
    }
    const bool wildcard = text.starts_with("*.");
    const std::string_view name = without_root_dot(wildcard ? text.substr(2) : text);
    if (name.find('*') != std::string_view::npos) {
      return quoted(item) + ": '*' may only be the whole first label, as in *.example.com";
    }
    if (const std::string_view problem = name_problem(name); !problem.empty()) {
      return quoted(item) + " " + std::string(problem);
    }
    (wildcard ? out.suffixes_ : out.names_).push_back((wildcard ? "." : "") + grammar::to_lower(name));
  }
  return out;
}

bool HostPatterns::matches(std::string_view host) const noexcept {
  if (any_) return true;
  if (const auto literal = ip_literal(host)) {
    return std::find(addresses_.begin(), addresses_.end(), *literal) != addresses_.end();
  }
  const std::string_view name = without_root_dot(host);
  const auto is_name = [name](const std::string& n) { return grammar::iequals(name, n); };
  const auto is_below = [name](const std::string& suffix) {  // a non-empty label, then ".example.com"
    return name.size() > suffix.size() && grammar::iequals(name.substr(name.size() - suffix.size()), suffix);
  };
  return std::any_of(names_.begin(), names_.end(), is_name) ||
         std::any_of(suffixes_.begin(), suffixes_.end(), is_below);
}

// --- PortRanges ---------------------------------------------------------------------------------

boost::system::result<PortRanges, std::string> PortRanges::parse(std::span<const std::string> items) {
  PortRanges out;
  for (const std::string& item : items) {
    const std::size_t dash = item.find('-');
    const std::string_view text = item;
    const auto first = parse_decimal(text.substr(0, dash), max_port);
    const auto last = dash == std::string::npos ? first : parse_decimal(text.substr(dash + 1), max_port);
    if (!first || !last) {
      return quoted(item) + " is not a port or a range like 1025-65535 (decimal, no leading zeros)";
    }
    if (*first == 0 || *last == 0 || *first > 65535 || *last > 65535) {
      return quoted(item) + ": ports are 1-65535";
    }
    if (*first > *last) {
      return quoted(item) + ": the range is reversed; did you mean " + std::to_string(*last) + "-" +
             std::to_string(*first) + "?";
    }
    out.ranges_.emplace_back(static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last));
  }
  return out;
}

bool PortRanges::contains(std::uint16_t port) const noexcept {
  return std::any_of(ranges_.begin(), ranges_.end(),
                     [port](const auto& r) { return r.first <= port && port <= r.second; });
}

// --- CONNECT authority --------------------------------------------------------------------------

namespace {

// Why `target` cannot be an authority-form host:port at all (RFC 9112 §3.2.3), or empty.
std::string_view connect_target_problem(std::string_view target) noexcept {
  if (target.empty()) return "CONNECT needs host:port";
  if (target.size() > max_authority) return "the CONNECT target is longer than any host:port";
  if (std::any_of(target.begin(), target.end(), [](char c) { return c <= 0x20 || c >= 0x7f; })) {
    return "the CONNECT target has whitespace, control or non-ASCII bytes";
  }
  // A name we look up is never percent-encoded, and an IPv6 zone id would pick the proxy's own interface.
  if (target.find('%') != std::string_view::npos) {
    return "percent-encoding and zone ids are not allowed in a CONNECT target";
  }
  if (target.find('@') != std::string_view::npos) return "a CONNECT target carries no user@";
  if (target.find_first_of("/?#\\") != std::string_view::npos) {
    return "a CONNECT target is host:port, without a path, query or fragment";
  }
  const bool bracketed = target.front() == '[';
  const std::string_view after_host =
      bracketed ? target.substr(std::min(target.find(']'), target.size())) : target;
  if (std::count(after_host.begin(), after_host.end(), ':') > 1) {
    return "the CONNECT target has more than one ':' (an IPv6 address goes in brackets)";
  }
  if (bracketed && after_host.empty()) return "the IPv6 address lacks its ']'";
  if (after_host.find(':') == std::string_view::npos || target.front() == ':' || target.back() == ':') {
    return "CONNECT needs host:port";
  }
  return {};
}

// Authority is constructible from a std::string too (C++20 aggregate), so a refusal says which it is.
boost::system::result<Authority, std::string> refused(std::string why) {
  return {boost::system::in_place_error, std::move(why)};
}

}  // namespace

boost::system::result<Authority, std::string> parse_connect_authority(std::string_view target) {
  if (const std::string_view problem = connect_target_problem(target); !problem.empty()) {
    return refused(std::string(problem));
  }
  const std::size_t colon = target.rfind(':');
  const bool bracketed = target.front() == '[';
  if (bracketed && target[colon - 1] != ']') return refused("CONNECT needs host:port");
  const std::string_view host = bracketed ? target.substr(1, colon - 2) : target.substr(0, colon);
  // One spelling per port: a sign or a leading zero ("+443", "0443") is read differently by other parsers.
  const auto port = parse_port(target.substr(colon + 1));
  if (!port) return refused("the CONNECT port must be 1-65535, in decimal without a leading zero");
  if (bracketed) {
    const auto ipv6 = parse_ipv6(host);
    if (!ipv6) return refused("the CONNECT host in brackets is not an IPv6 address");
    return Authority{"[" + ipv6->to_string() + "]", *port};
  }
  if (const auto ipv4 = parse_dotted_quad(host)) return Authority{ipv4->to_string(), *port};
  const std::string_view name = without_root_dot(host);
  if (const std::string_view problem = name_problem(name); !problem.empty()) {
    return refused("the CONNECT host " + std::string(problem));
  }
  return Authority{grammar::to_lower(name), *port};
}

std::string to_string(const Authority& authority) {
  return authority.host + ":" + std::to_string(authority.port);
}

}  // namespace authgate::net
