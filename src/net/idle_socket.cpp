#include "net/idle_socket.hpp"

#include <poll.h>

namespace authgate::net {

bool idle_socket_is_dead(boost::asio::ip::tcp::socket& socket) noexcept {
  if (!socket.is_open()) return true;
  pollfd fd{socket.native_handle(), POLLIN, 0};
  return ::poll(&fd, 1, 0) != 0;  // readable (data or EOF), error, or poll failed
}

}  // namespace authgate::net
