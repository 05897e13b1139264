// Durations and sizes: exactly the documented spellings, nothing else, no overflow.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "config/units.hpp"

namespace authgate::config {
namespace {

using namespace std::chrono_literals;

struct DurationCase {
  std::string name;
  std::string input;
  std::optional<Duration> expected;  // nullopt = refused
  std::string why;
};

std::vector<DurationCase> duration_cases() {
  return {
      {"MillisecondsAreMilliseconds", "500ms", 500ms, "the smallest unit"},
      {"SecondsAreSeconds", "10s", 10s, "documented"},
      {"MinutesAreMinutes", "5m", 5min, "documented"},
      {"HoursAreHours", "1h", 1h, "documented"},
      {"ZeroNeedsNoUnit", "0", 0ms, "zero is zero in every unit"},
      {"ZeroWithUnitIsZero", "0s", 0ms, "also fine"},
      {"LeadingZerosAreDigits", "007s", 7s, "still a decimal number"},
      {"BareNumberIsRefused", "10", std::nullopt, "10 what? a unit is required"},
      {"EmptyIsRefused", "", std::nullopt, "no value"},
      {"NegativeIsRefused", "-1s", std::nullopt, "no signs"},
      {"PlusSignIsRefused", "+1s", std::nullopt, "no signs"},
      {"FractionIsRefused", "1.5s", std::nullopt, "whole numbers only"},
      {"SpaceIsRefused", "10 s", std::nullopt, "no spaces"},
      {"TrailingSpaceIsRefused", "10s ", std::nullopt, "no spaces"},
      {"UpperCaseUnitIsRefused", "10S", std::nullopt, "units are lower-case"},
      {"DaysAreNotAUnit", "1d", std::nullopt, "not in the table"},
      {"CompoundIsRefused", "1h30m", std::nullopt, "one number, one unit"},
      {"MicrosecondsAreNotAUnit", "10us", std::nullopt, "below the resolution"},
      {"HugeNumberIsRefused", "99999999999999999999999s", std::nullopt, "does not fit 64 bits"},
      {"OverflowOnScalingIsRefused", "9223372036854775807h", std::nullopt, "multiplying must not wrap"},
      {"UnitOnlyIsRefused", "ms", std::nullopt, "no digits"},
  };
}

class DurationTest : public ::testing::TestWithParam<DurationCase> {};

TEST_P(DurationTest, ParsesOrRefuses) {
  const auto& c = GetParam();
  const auto result = parse_duration(c.input);
  if (c.expected) {
    ASSERT_TRUE(result.has_value()) << result.error() << " — " << c.why;
    EXPECT_EQ(*result, *c.expected) << c.why;
  } else {
    ASSERT_FALSE(result.has_value()) << c.why;
    EXPECT_FALSE(result.error().empty());
  }
}

INSTANTIATE_TEST_SUITE_P(Durations, DurationTest, ::testing::ValuesIn(duration_cases()),
                         [](const auto& p) { return p.param.name; });

struct SizeCase {
  std::string name;
  std::string input;
  std::optional<std::uint64_t> expected;
  std::string why;
};

std::vector<SizeCase> size_cases() {
  return {
      {"BareNumberIsBytes", "123", 123, "bytes need no unit"},
      {"ZeroIsZero", "0", 0, "used for 'unlimited'"},
      {"KibibytesAre1024", "64KiB", 64u << 10, "binary units"},
      {"MebibytesAre1024Squared", "10MiB", 10u << 20, "binary units"},
      {"GibibytesAre1024Cubed", "1GiB", 1ull << 30, "binary units"},
      {"TebibytesAreAccepted", "2TiB", 2ull << 40, "binary units"},
      {"DecimalUnitsAreRefused", "10MB", std::nullopt, "MB would be ambiguous"},
      {"ShortUnitsAreRefused", "10k", std::nullopt, "ambiguous"},
      {"LowerCaseUnitIsRefused", "10mib", std::nullopt, "exact spelling"},
      {"BytesSuffixIsRefused", "10B", std::nullopt, "bytes are bare numbers"},
      {"NegativeIsRefused", "-5", std::nullopt, "no signs"},
      {"FractionIsRefused", "1.5GiB", std::nullopt, "whole numbers only"},
      {"EmptyIsRefused", "", std::nullopt, "no value"},
      {"HexIsRefused", "0x10", std::nullopt, "decimal only"},
      {"Max64BitNumberIsAccepted", "18446744073709551615", std::numeric_limits<std::uint64_t>::max(),
       "the range check is the caller's"},
      {"Beyond64BitsIsRefused", "18446744073709551616", std::nullopt, "does not fit"},
      {"OverflowOnScalingIsRefused", "17179869184GiB", std::nullopt, "2^34 GiB = 2^64 bytes wraps"},
  };
}

class SizeTest : public ::testing::TestWithParam<SizeCase> {};

TEST_P(SizeTest, ParsesOrRefuses) {
  const auto& c = GetParam();
  const auto result = parse_size(c.input);
  if (c.expected) {
    ASSERT_TRUE(result.has_value()) << result.error() << " — " << c.why;
    EXPECT_EQ(*result, *c.expected) << c.why;
  } else {
    EXPECT_FALSE(result.has_value()) << c.why;
  }
}

INSTANTIATE_TEST_SUITE_P(Sizes, SizeTest, ::testing::ValuesIn(size_cases()),
                         [](const auto& p) { return p.param.name; });

TEST(UnitsTest, DecimalSizeUnitsGetAHint) {
  const auto result = parse_size("10MB");
  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().find("binary units"), std::string::npos) << result.error();
}

TEST(UnitsTest, FormattingPicksTheLargestExactUnit) {
  EXPECT_EQ(format_duration(90s), "90s");
  EXPECT_EQ(format_duration(2h), "2h");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(0ms), "0");
  EXPECT_EQ(format_size(64u << 10), "64KiB");
  EXPECT_EQ(format_size(1000), "1000");
  EXPECT_EQ(format_size(0), "0");
}

TEST(UnitsTest, FormattedValuesParseBack) {
  for (const Duration d : std::vector<Duration>{1ms, 999ms, 1s, 61s, 5min, 3h})
    EXPECT_EQ(*parse_duration(format_duration(d)), d);
  for (const std::uint64_t s : {1ull, 1023ull, 1024ull, 3ull << 20, 5ull << 40})
    EXPECT_EQ(*parse_size(format_size(s)), s);
}

}  // namespace
}  // namespace authgate::config
