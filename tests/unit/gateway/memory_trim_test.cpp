// When the allocator is trimmed (gateway/ops/memory_trim.hpp): after a burst has half gone, at most once
// per interval, never in a steady state.
#include "gateway/ops/memory_trim.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace authgate::gateway {
namespace {

TEST(MemoryTrim, TrimsOnceABurstHasHalfGoneThenFollowsUpAndNeverInASteadyState) {
  MemoryTrim trim;
  std::uint64_t admitted = 500;
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(trim.tick(500, admitted)) << "steady: nothing to give back";
  EXPECT_FALSE(trim.tick(300, admitted)) << "not yet half gone";
  EXPECT_TRUE(trim.tick(200, admitted));
  std::vector<unsigned> trimmed_at;
  for (unsigned tick = 1; tick <= 60; ++tick) {
    if (trim.tick(150, admitted)) trimmed_at.push_back(tick);
  }
  EXPECT_EQ(trimmed_at, (std::vector<unsigned>{3, 10, 35}))
      << "again once the spare buffers and then the idle upstream connections have gone";
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(trim.tick(150, admitted)) << "steady again";
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
