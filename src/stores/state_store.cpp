// Names for the StateStore's codes, and the exception boost::system::result throws for a StateError.
#include "authgate/stores/state_store.hpp"

#include <boost/throw_exception.hpp>

#include <stdexcept>

namespace authgate::stores {

std::string_view to_string(StateError::Code code) noexcept {
  switch (code) {
    case StateError::Code::unavailable:
      return "unavailable";
    case StateError::Code::timeout:
      return "timeout";
    case StateError::Code::too_many_keys:
      return "too_many_keys";
    case StateError::Code::invalid_argument:
      return "invalid_argument";
  }
  return "unknown";
}

std::string_view to_string(NonceUse use) noexcept {
  switch (use) {
    case NonceUse::fresh:
      return "fresh";
    case NonceUse::replayed:
      return "replayed";
    case NonceUse::unknown_or_expired:
      return "unknown_or_expired";
  }
  return "unknown";
}

void throw_exception_from_error(const StateError& error, const boost::source_location& loc) {
  std::string message{to_string(error.code)};
  if (!error.detail.empty()) message += ": " + error.detail;
  boost::throw_exception(std::runtime_error(message), loc);
}

}  // namespace authgate::stores
