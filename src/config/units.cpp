// Durations and sizes: digits, then a unit from a fixed table; overflow is an error, never a wrap.
#include "config/units.hpp"

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <utility>

namespace authgate::config {
namespace {

struct Unit {
  std::string_view suffix;
  std::uint64_t factor;
};

constexpr std::array<Unit, 4> duration_units{{{"ms", 1}, {"s", 1000}, {"m", 60'000}, {"h", 3'600'000}}};
constexpr std::array<Unit, 4> size_units{
    {{"KiB", 1ull << 10}, {"MiB", 1ull << 20}, {"GiB", 1ull << 30}, {"TiB", 1ull << 40}}};

// Splits "123abc" into 123 and "abc". nullopt when there are no leading digits or the number overflows.
std::optional<std::pair<std::uint64_t, std::string_view>> split_number(std::string_view text) {
  std::uint64_t value = 0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  const auto [end, ec] = std::from_chars(first, last, value);
  if (ec != std::errc{} || end == first) return std::nullopt;
  return std::pair{value, text.substr(static_cast<std::size_t>(end - first))};
}

bool starts_with_digit(std::string_view text) { return !text.empty() && text[0] >= '0' && text[0] <= '9'; }

template <std::size_t N>
const Unit* find_unit(const std::array<Unit, N>& units, std::string_view suffix) {
  for (const auto& unit : units) {
    if (unit.suffix == suffix) return &unit;
  }
  return nullptr;
}

bool multiply(std::uint64_t a, std::uint64_t b, std::uint64_t& out) {
  if (b != 0 && a > std::numeric_limits<std::uint64_t>::max() / b) return false;
  out = a * b;
  return true;
}

constexpr std::string_view duration_hint = "expected a duration such as 500ms, 10s, 5m or 1h";
constexpr std::string_view size_hint = "expected a size such as 4096, 64KiB, 10MiB or 1GiB";

}  // namespace

boost::system::result<Duration, std::string> parse_duration(std::string_view text) {
  if (!starts_with_digit(text)) return std::string(duration_hint);
  const auto parts = split_number(text);
  if (!parts) return std::string("duration is too large");
  const auto [number, suffix] = *parts;
  if (suffix.empty()) {
    if (number == 0) return Duration{0};
    return std::string(duration_hint) + " (a unit is required)";
  }
  const Unit* unit = find_unit(duration_units, suffix);
  if (unit == nullptr) return std::string(duration_hint) + " (unknown unit '" + std::string(suffix) + "')";
  std::uint64_t ms = 0;
  constexpr auto max_ms = static_cast<std::uint64_t>(std::numeric_limits<Duration::rep>::max());
  if (!multiply(number, unit->factor, ms) || ms > max_ms) return std::string("duration is too large");
  return Duration{static_cast<Duration::rep>(ms)};
}

boost::system::result<std::uint64_t, std::string> parse_size(std::string_view text) {
  if (!starts_with_digit(text)) return std::string(size_hint);
  const auto parts = split_number(text);
  if (!parts) return std::string("size is too large");
  const auto [number, suffix] = *parts;
  if (suffix.empty()) return number;
  const Unit* unit = find_unit(size_units, suffix);
  if (unit == nullptr) {
    std::string why = std::string(size_hint) + " (unknown unit '" + std::string(suffix) + "'";
    if (suffix == "KB" || suffix == "MB" || suffix == "GB" || suffix == "TB" || suffix == "k" ||
        suffix == "K" || suffix == "M" || suffix == "G") {
      why += "; sizes use binary units KiB, MiB, GiB, TiB";
    }
    return why + ")";
  }
  std::uint64_t bytes = 0;
  if (!multiply(number, unit->factor, bytes)) return std::string("size is too large");
  return bytes;
}

std::string format_duration(Duration duration) {
  const auto ms = static_cast<std::uint64_t>(duration.count() < 0 ? 0 : duration.count());
  if (ms == 0) return "0";
  for (auto it = duration_units.rbegin(); it != duration_units.rend(); ++it) {
    if (ms % it->factor == 0) return std::to_string(ms / it->factor) + std::string(it->suffix);
  }
  return std::to_string(ms) + "ms";
}

std::string format_size(std::uint64_t bytes) {
  if (bytes == 0) return "0";
  for (auto it = size_units.rbegin(); it != size_units.rend(); ++it) {
    if (bytes % it->factor == 0) return std::to_string(bytes / it->factor) + std::string(it->suffix);
  }
  return std::to_string(bytes);
}

}  // namespace authgate::config
