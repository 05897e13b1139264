// Spare blocks kept per thread: reused while requests come, bounded, and given back once a whole trim
// interval went by without a request taking them (what a burst leaves behind).
#include "http/spare_memory.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace authgate::gateway {
namespace {

// Each test uses its own block size: a kind's spares are per thread and outlive a test.
template <class Memory>
std::vector<void*> take(std::size_t n) {
  std::vector<void*> blocks;
  for (std::size_t i = 0; i < n; ++i) blocks.push_back(Memory::take());
  return blocks;
}

template <class Memory>
void give(const std::vector<void*>& blocks) {
  for (void* block : blocks) Memory::give(block);
}

class SpareMemoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!keep_spare_memory) GTEST_SKIP() << "nothing is kept under AddressSanitizer";
  }
};

TEST_F(SpareMemoryTest, AGivenBlockIsTheNextOneTaken) {
  using Memory = SpareMemory<40>;
  void* first = Memory::take();
  const auto address = reinterpret_cast<std::uintptr_t>(first);  // NOLINT(*-reinterpret-cast)
  Memory::give(first);
  void* second = Memory::take();
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(second), address);  // NOLINT(*-reinterpret-cast)
  Memory::give(second);
}

TEST_F(SpareMemoryTest, KeepsAtMostItsBoundAndFreesTheRest) {
  using Memory = SpareMemory<48, 4>;
  give<Memory>(take<Memory>(10));
  EXPECT_EQ(Memory::spare_count(), 4u);
}

TEST_F(SpareMemoryTest, SparesUnusedForAWholeIntervalGoBackAtTheTrimAfter) {
  using Memory = SpareMemory<56>;
  give<Memory>(take<Memory>(5));  // a burst ends
  trim_spare_memory();            // the interval the burst ended in: some were in use during it
  EXPECT_EQ(Memory::spare_count(), 5u);
  trim_spare_memory();  // a whole interval with no request: all five sat unused
  EXPECT_EQ(Memory::spare_count(), 0u);
}

TEST_F(SpareMemoryTest, SparesTakenDuringTheIntervalStay) {
  using Memory = SpareMemory<64>;
  give<Memory>(take<Memory>(5));
  trim_spare_memory();
  give<Memory>(take<Memory>(2));  // steady traffic: two in use at once at the busiest moment
  trim_spare_memory();            // the three never taken go; the two a request needed stay
  EXPECT_EQ(Memory::spare_count(), 2u);
  give<Memory>(take<Memory>(2));
  trim_spare_memory();
  EXPECT_EQ(Memory::spare_count(), 2u);
}

TEST_F(SpareMemoryTest, TrimTouchesEveryKindOnThisThread) {
  give<SpareMemory<72>>(take<SpareMemory<72>>(3));
  give<SpareMemory<80>>(take<SpareMemory<80>>(2));
  trim_spare_memory();
  trim_spare_memory();
  EXPECT_EQ(SpareMemory<72>::spare_count(), 0u);
  EXPECT_EQ(SpareMemory<80>::spare_count(), 0u);
}

}  // namespace
}  // namespace authgate::gateway
