#pragma once
// The demo's built-in upstream: answers every request with JSON describing what it received
// ({method, target, path, query, headers (as received, in order), body_bytes}), so a user sees
// exactly what the gateway forwarded — identity headers included. Runs on its own thread. Not part of the
// product libraries: `authgate demo` and the gateway's session tests use it.

#include <cstdint>
#include <memory>
#include <string>

namespace authgate::app {

class EchoUpstream {
 public:
  /// Listens on `address`:0 (a free port) and serves on its own thread. Throws on bind failure.
  static std::unique_ptr<EchoUpstream> start(const std::string& address = "127.0.0.1");
  /// Stops serving and joins the thread.
  ~EchoUpstream();
  EchoUpstream(const EchoUpstream&) = delete;
  EchoUpstream& operator=(const EchoUpstream&) = delete;

  std::uint16_t port() const noexcept;

  struct State;

 private:
  explicit EchoUpstream(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace authgate::app
