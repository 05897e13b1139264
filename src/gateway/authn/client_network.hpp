#pragma once
// The part of a client's address that stands for one client. Throttling counts failures per it, and the
// hashing pool shares its threads by it, so that neither can be dodged by moving within one's own network.

#include <string>
#include <string_view>

namespace authgate::gateway {

/// The client address as it counts: IPv4 (or IPv4-mapped IPv6) as is, IPv6 cut to its first `ipv6_prefix`
/// bits ("2001:db8:1:2::/64"), because one subscriber gets a whole /64 and would otherwise have 2^64
/// addresses to spread over. Text that is no IP address comes back unchanged. Thread-safe.
std::string client_network(std::string_view client, unsigned ipv6_prefix = 64);

}  // namespace authgate::gateway
