#pragma once
// Time and randomness come through these two seams so tests can pin them (JWT exp/nbf, Digest nonces).

#include <chrono>
#include <cstddef>
#include <span>

namespace authgate {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const noexcept = 0;
};

/// The real wall clock.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const noexcept override {
    return std::chrono::system_clock::now();
  }
};

/// Nothing implements or uses this yet: Digest's server nonces (issue 13) will take one.
class Random {
 public:
  virtual ~Random() = default;
  /// Fills `out` with cryptographically strong bytes. Thread-safe.
  virtual void fill(std::span<std::byte> out) = 0;
};

}  // namespace authgate
