#pragma once
// Where the Redis StateStore's connection stands, for /readyz and the logs.

#include <string>
#include <string_view>

namespace authgate::net {

enum class RedisState {
  connected,   // the handshake (AUTH, SELECT, PING) was answered; commands go out at once
  connecting,  // an attempt is in flight; commands wait for it (within their timeout)
  down,        // waiting to try again (backoff) or shut down; commands fail at once with `unavailable`
};

struct RedisStatus {
  RedisState state = RedisState::connecting;
  std::string last_error;  // the latest failure, kept after recovery; empty when none yet; never a key
};

/// The name of `state` for logs and /readyz, e.g. "connecting".
constexpr std::string_view to_string(RedisState state) noexcept {
  switch (state) {
    case RedisState::connected:
      return "connected";
    case RedisState::connecting:
      return "connecting";
    case RedisState::down:
      break;
  }
  return "down";
}

}  // namespace authgate::net
