// Trimming the allocator after bursts (see memory_trim.hpp).
#include "gateway/ops/memory_trim.hpp"

#include <malloc.h>

#include <algorithm>

namespace authgate::gateway {

bool MemoryTrim::tick(std::size_t open, std::uint64_t admitted) {
  // A burst may come and go between two ticks: connections admitted meanwhile count as open at once.
  const auto fresh = static_cast<std::size_t>(admitted - last_admitted_);
  last_admitted_ = admitted;
  peak_ = std::max({peak_, open, fresh});
  if (ticks_since_trim_ < min_ticks_between) ++ticks_since_trim_;
  if (peak_ >= min_peak && open * 2 < peak_ && ticks_since_trim_ >= min_ticks_between) {
    malloc_trim(0);  // every arena, including the I/O threads'; a few ms at most, at most once per interval
    peak_ = open;
    ticks_since_trim_ = 0;
    ticks_since_burst_ = 0;
    next_follow_up_ = 0;
    return true;
  }
  if (next_follow_up_ == follow_ups.size()) return false;
  if (++ticks_since_burst_ < follow_ups.at(next_follow_up_)) return false;
  ++next_follow_up_;
  malloc_trim(0);
  return true;
}

}  // namespace authgate::gateway
