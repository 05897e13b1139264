#pragma once
// Gives memory back to the system after a burst: glibc keeps what a burst of connections freed in its
// arenas (RSS stayed at 29–34 MiB after 4,000 connections, from 12 MiB idle), so once the connections
// have gone, malloc_trim() returns the free pages. Called once a second from the control thread; trims
// once a burst has half gone, then a few times more while what the burst left behind is freed (spare relay
// buffers after a second or two, idle upstream connections after their idle_timeout, 30 s by default);
// never on the request path (docs/operations.md, "Overload").

#include <array>
#include <cstddef>
#include <cstdint>

namespace authgate::gateway {

class MemoryTrim {
 public:
  /// `open`: connections open now; `admitted`: connections admitted since start. Trims when fewer than
  /// half of the peak since the last trim remain open (a peak of at least `min_peak`, counting the
  /// connections admitted between two ticks), at most once per `min_ticks_between` calls.
  /// True when it trimmed.
  bool tick(std::size_t open, std::uint64_t admitted);

  static constexpr std::size_t min_peak = 64;
  static constexpr unsigned min_ticks_between = 10;
  /// Ticks after a burst's trim at which it trims again.
  static constexpr std::array<unsigned, 3> follow_ups{3, 10, 35};

 private:
  std::size_t peak_ = 0;             // most connections at once since the last trim
  std::uint64_t last_admitted_ = 0;  // `admitted` at the previous tick
  unsigned ticks_since_trim_ = min_ticks_between;
  unsigned ticks_since_burst_ = 0;
  std::size_t next_follow_up_ = follow_ups.size();  // none pending
};

}  // namespace authgate::gateway
