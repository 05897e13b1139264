// When the allocator is trimmed (gateway/ops/memory_trim.hpp): after a burst has half gone, at most once
// per interval, never in a steady state.
#include "gateway/ops/memory_trim.hpp"

#include <gtest/gtest.h>

namespace authgate::gateway {
namespace {

TEST(MemoryTrim, TrimsOnceABurstHasHalfGoneAndNeverInASteadyState) {
  MemoryTrim trim;
  std::uint64_t admitted = 500;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(trim.tick(500, admitted)) << "steady: nothing to give back";
  EXPECT_FALSE(trim.tick(300, admitted)) << "not yet half gone";
  EXPECT_TRUE(trim.tick(200, admitted));
  EXPECT_FALSE(trim.tick(50, admitted)) << "at most once per interval";
  for (unsigned i = 0; i < MemoryTrim::min_ticks_between; ++i) trim.tick(50, admitted);  // trims once more
  for (unsigned i = 0; i < MemoryTrim::min_ticks_between; ++i) EXPECT_FALSE(trim.tick(50, admitted));
  admitted += 4000;
  EXPECT_FALSE(trim.tick(3000, admitted)) << "a burst arriving";
  EXPECT_TRUE(trim.tick(10, admitted)) << "… and gone: counted even if it came and went between ticks";
}

TEST(MemoryTrim, SmallPeaksAreNotWorthATrim) {
  MemoryTrim trim;
  std::uint64_t admitted = 0;
  for (int i = 0; i < 50; ++i) {
    admitted += 10;
    EXPECT_FALSE(trim.tick(i % 2 == 0 ? 10 : 0, admitted));
  }
}

}  // namespace
}  // namespace authgate::gateway
