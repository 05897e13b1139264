#pragma once
// Where the forward proxy may connect (issue 14): the CONNECT request-target, the host patterns, address
// ranges and ports an operator allows, and the special-purpose addresses refused by default so that the
// proxy never becomes a door into the network it sits in. Pure value types and functions: no I/O, no
// resolver; the gateway judges the address it actually connects to, not the name it was given.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/system/result.hpp>

namespace authgate::net {

/// True for every address the proxy refuses unless an operator allows it explicitly: the RFC 6890
/// special-purpose blocks that are not global (this host, private, shared/CGNAT, loopback, link-local,
/// IETF protocol assignments, benchmarking, documentation), multicast and reserved space, and IPv6
/// forms that carry an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) when that address is
/// internal. Thread-safe.
bool is_internal_address(const boost::asio::ip::address& address) noexcept;

/// CIDR ranges an operator lists ("10.0.0.0/8", "::1", "fd00::/8"; a bare address is a /32 or /128).
/// An IPv4 address and its IPv4-mapped IPv6 form (::ffff:a.b.c.d) are the same address here, so either
/// spelling matches a range written in the other (and ::/0 covers IPv4 too). Immutable after parse;
/// thread-safe.
class AddressRanges {
 public:
  /// Parses every item or names the first bad one in one sentence: not an address, brackets or a zone
  /// id, a prefix length out of range, or host bits set beyond the prefix ("did you mean ...?").
  static boost::system::result<AddressRanges, std::string> parse(std::span<const std::string> items);

  /// True when `address` lies in one of the ranges.
  bool contains(const boost::asio::ip::address& address) const noexcept;

  bool empty() const noexcept { return ranges_.empty(); }

 private:
  struct Range {
    boost::asio::ip::address_v6::bytes_type network{};  // IPv4 ranges as ::ffff:a.b.c.d
    unsigned prefix = 0;                                // 0-128, counted on the IPv6 form
  };
  std::vector<Range> ranges_;
};

/// Destination host patterns: "*" (any host), "example.com" (that name, any case, a trailing dot
/// ignored), "*.example.com" (any name below it at any depth, not example.com itself), an IPv4 literal
/// and an IPv6 literal in brackets ("[::1]"). Immutable after parse; thread-safe.
class HostPatterns {
 public:
  /// Parses every item or names the first bad one in one sentence: empty, a character no DNS name has,
  /// '*' anywhere but as the whole first label, a numeric name that is not a dotted-quad IPv4 address,
  /// an unbracketed or malformed IPv6 literal.
  static boost::system::result<HostPatterns, std::string> parse(std::span<const std::string> items);

  /// True when `host` (as parse_connect_authority returns it: lower-case, no port, IPv6 in brackets)
  /// matches a pattern. Names compare case-insensitively without their trailing dot; IP literals compare
  /// as addresses, an IPv4-mapped IPv6 literal as its IPv4 address.
  bool matches(std::string_view host) const noexcept;

  bool empty() const noexcept { return !any_ && names_.empty() && suffixes_.empty() && addresses_.empty(); }

 private:
  bool any_ = false;
  std::vector<std::string> names_;                   // "example.com"
  std::vector<std::string> suffixes_;                // ".example.com" for "*.example.com"
  std::vector<boost::asio::ip::address> addresses_;  // IPv4-mapped IPv6 stored as IPv4
};

/// Destination ports: "443", "1025-65535". Immutable after parse; thread-safe.
class PortRanges {
 public:
  /// Parses every item or names the first bad one in one sentence: not decimal digits, a leading zero,
  /// 0 or above 65535, a reversed range.
  static boost::system::result<PortRanges, std::string> parse(std::span<const std::string> items);

  bool contains(std::uint16_t port) const noexcept;

  bool empty() const noexcept { return ranges_.empty(); }

 private:
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges_;  // inclusive [first, last]
};

/// The destination of a CONNECT request.
struct Authority {
  std::string host;  // lower-case DNS name without a trailing dot, dotted-quad IPv4, or "[IPv6]" (RFC 5952)
  std::uint16_t port = 0;  // 1-65535

  bool operator==(const Authority&) const = default;
};

/// Parses a CONNECT request-target (RFC 9110 §9.3.6, authority-form of RFC 9112 §3.2.3): `host:port`
/// with a DNS name, a dotted-quad IPv4 address or a bracketed IPv6 address, and a port that is required
/// and written as 1-65535 without a sign or leading zero. Refused: userinfo, a path, query or fragment,
/// whitespace, control and non-ASCII bytes, percent-encoding, IPv6 zone ids, and numeric names that are
/// not a dotted quad ("127.1", "0x7f000001"). A name is not resolved here: "localhost" parses, and the
/// address it resolves to is what is_internal_address() judges. The error is one sentence that never
/// repeats the input (it is the client's, and goes to logs).
boost::system::result<Authority, std::string> parse_connect_authority(std::string_view target);

/// `host:port` as a CONNECT request-target; parse_connect_authority() reads it back to the same value.
std::string to_string(const Authority& authority);

}  // namespace authgate::net
