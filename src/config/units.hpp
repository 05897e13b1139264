#pragma once
// Strict parsing of the two unit-bearing value kinds of the configuration: durations ("500ms", "10s",
// "5m", "1h") and byte sizes ("4096", "64KiB", "10MiB", "1GiB"). No signs, spaces, fractions or decimal
// (KB/MB) units: a config value means exactly one thing.

#include <cstdint>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "config/model.hpp"

namespace authgate::config {

/// Parses `<digits><unit>` with unit ms|s|m|h; a bare "0" is also accepted. Error: a sentence saying why.
boost::system::result<Duration, std::string> parse_duration(std::string_view text);

/// Parses `<digits>` (bytes) or `<digits><unit>` with unit KiB|MiB|GiB|TiB. Error: a sentence saying why.
boost::system::result<std::uint64_t, std::string> parse_size(std::string_view text);

/// The shortest exact spelling of a duration in the config syntax, e.g. "90s", "5m", "250ms".
std::string format_duration(Duration duration);

/// The shortest exact spelling of a size in the config syntax, e.g. "64KiB", "1000".
std::string format_size(std::uint64_t bytes);

}  // namespace authgate::config
