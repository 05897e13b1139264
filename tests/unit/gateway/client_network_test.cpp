// The client network that throttling and the hashing queue count by: an IPv4 address, an IPv6 network.
#include "gateway/authn/client_network.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

struct NetworkCase {
  const char* name;
  std::string address;
  unsigned ipv6_prefix;
  std::string expected;
  const char* why;
};

TEST(ClientNetwork, NamesTheNetworkOneClientControls) {
  const std::vector<NetworkCase> cases = {
      {"ipv4", "192.0.2.7", 64, "192.0.2.7", "an IPv4 address is one client"},
      {"v4-mapped", "::ffff:192.0.2.7", 64, "192.0.2.7", "the same client over an IPv6 socket"},
      {"ipv6", "2001:db8:1:2:aaaa:bbbb:cccc:dddd", 64, "2001:db8:1:2::/64",
       "one subscriber holds a whole /64"},
      {"ipv6 /48", "2001:db8:1:2::1", 48, "2001:db8:1::/48", "the prefix is configurable (throttle)"},
      {"not an address", "unix:socket", 64, "unix:socket", "anything else counts as itself"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(client_network(c.address, c.ipv6_prefix), c.expected) << c.name << ": " << c.why;
  }
}

}  // namespace
}  // namespace authgate::gateway
