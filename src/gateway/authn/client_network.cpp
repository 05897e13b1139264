#include "gateway/authn/client_network.hpp"

#include <cstddef>

#include <boost/asio/ip/address.hpp>

namespace authgate::gateway {

std::string client_network(std::string_view client, unsigned ipv6_prefix) {
  // The gateway formats client addresses itself: one without ':' is a canonical IPv4 literal already.
  if (client.find(':') == std::string_view::npos) return std::string(client);
  boost::system::error_code ec;
  auto address = boost::asio::ip::make_address(client, ec);
  if (ec) return std::string(client);
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
  }
  if (address.is_v4()) return address.to_string();
  auto bytes = address.to_v6().to_bytes();
  for (std::size_t bit = ipv6_prefix; bit < 128; ++bit) {
    bytes[bit / 8] = static_cast<unsigned char>(bytes[bit / 8] & ~(0x80u >> (bit % 8)));
  }
  return boost::asio::ip::address_v6(bytes).to_string() + "/" + std::to_string(ipv6_prefix);
}

}  // namespace authgate::gateway
