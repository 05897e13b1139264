// The forward proxy's destination checks on arbitrary input: the whole input as a CONNECT target, its
// lines as address ranges, host patterns and ports, its first bytes as addresses. Never crashes, leaks or
// throws; an accepted CONNECT target is lower-case, round-trips through to_string(), and is a host pattern
// that matches itself; every parsed range, pattern and port matches what it was written from; an IPv4
// address gets the same verdict in its mapped, NAT64 and 6to4 forms.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "net/destination_policy.hpp"

namespace {

namespace net = authgate::net;

void check(bool condition) {
  if (!condition) std::abort();
}

std::vector<std::string> lines(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    out.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void check_authority(std::string_view text) {
  const auto authority = net::parse_connect_authority(text);
  if (!authority) {
    check(!authority.error().empty());
    return;
  }
  const std::string& host = authority->host;
  check(!host.empty() && host.back() != '.' && authority->port != 0);
  for (const char c : host) check(c > 0x20 && c < 0x7f && !(c >= 'A' && c <= 'Z'));
  const auto again = net::parse_connect_authority(net::to_string(*authority));
  check(again && *again == *authority);
  const std::vector<std::string> own = {host};
  const auto patterns = net::HostPatterns::parse(own);
  check(patterns && patterns->matches(host));
}

void check_ranges(const std::vector<std::string>& items) {
  const auto ranges = net::AddressRanges::parse(items);
  if (!ranges) return;
  for (const std::string& item : items) {
    boost::system::error_code ec;
    const auto network = boost::asio::ip::make_address(item.substr(0, item.find('/')), ec);
    check(!ec && ranges->contains(network));
  }
}

void check_patterns(const std::vector<std::string>& items) {
  const auto patterns = net::HostPatterns::parse(items);
  if (!patterns) return;
  for (const std::string& item : items) {
    if (item.starts_with("*.")) {
      check(patterns->matches("x" + item.substr(1)));
    } else {
      check(patterns->matches(item));
    }
  }
}

void check_ports(const std::vector<std::string>& items) {
  const auto ports = net::PortRanges::parse(items);
  if (!ports) return;
  for (const std::string& item : items) {
    check(ports->contains(static_cast<std::uint16_t>(std::stoul(item.substr(0, item.find('-'))))));
  }
}

void check_addresses(const std::uint8_t* data, std::size_t size) {
  if (size < 16) return;
  boost::asio::ip::address_v6::bytes_type v6{};
  std::copy(data, data + 16, v6.begin());
  (void)net::is_internal_address(boost::asio::ip::address_v6(v6));
  const boost::asio::ip::address_v4 v4({data[0], data[1], data[2], data[3]});
  const bool verdict = net::is_internal_address(v4);
  const auto b = v4.to_bytes();
  const boost::asio::ip::address_v6::bytes_type nat64{0, 0x64, 0xff, 0x9b, 0,    0,    0,    0,
                                                      0, 0,    0,    0,    b[0], b[1], b[2], b[3]};
  const boost::asio::ip::address_v6::bytes_type six_to_four{0x20, 0x02, b[0], b[1], b[2], b[3]};
  check(net::is_internal_address(boost::asio::ip::make_address_v6(boost::asio::ip::v4_mapped, v4)) ==
        verdict);
  check(net::is_internal_address(boost::asio::ip::address_v6(nat64)) == verdict);
  check(net::is_internal_address(boost::asio::ip::address_v6(six_to_four)) == verdict);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  check_authority(text);
  const std::vector<std::string> items = lines(text);
  check_ranges(items);
  check_patterns(items);
  check_ports(items);
  check_addresses(data, size);
  return 0;
}
