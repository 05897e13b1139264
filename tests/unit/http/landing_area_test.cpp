// The landing area of an idle plain connection: small and inline until a read fills it, then doubling
// on the heap, one step per filled read, up to its largest size.
#include "http/landing_area.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstring>
#include <vector>

namespace authgate::gateway {
namespace {

struct Case {
  const char* name;
  std::vector<std::size_t> reads;  // bytes each read brought
  std::size_t size_after;          // the area the next read gets
};

constexpr std::size_t full = LandingArea::inline_bytes;

const Case cases[] = {
    {"a new connection reads into the inline bytes", {}, full},
    {"short heads never grow it", {40, 200, full - 1}, full},
    {"a read that fills it doubles the next one", {full}, 2 * full},
    {"each filled read doubles it once more", {full, 2 * full, 4 * full}, 8 * full},
    {"a read that fits stops the growth", {full, 2 * full - 1, 40}, 2 * full},
    {"it never passes the largest size", {full, 512, 1024, 2048, 4096, 4096}, LandingArea::largest},
    {"it does not shrink for a short head later", {full, 2 * full, 10}, 4 * full},
};

TEST(LandingArea, GrowsOnlyAfterAReadFillsIt) {
  for (const auto& c : cases) {
    LandingArea area;
    for (const auto n : c.reads) {
      ASSERT_LE(n, area.next().size()) << c.name;
      area.landed(n);
    }
    EXPECT_EQ(area.next().size(), c.size_after) << c.name;
  }
}

TEST(LandingArea, TheBytesOfTheLastReadStayPutUntilTheNextRead) {
  LandingArea area;
  const auto first = area.next();
  std::memset(first.data(), 'x', first.size());
  area.landed(first.size());
  // read_head() parses from current() after the read that asked for growth.
  EXPECT_EQ(area.current().data(), first.data());
  EXPECT_EQ(area.current()[first.size() - 1], 'x');
  EXPECT_EQ(area.next().size(), 2 * first.size());
  EXPECT_NE(area.current().data(), first.data());
}

}  // namespace
}  // namespace authgate::gateway
