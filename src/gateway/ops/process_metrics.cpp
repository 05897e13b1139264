// Process metrics from /proc/self (see process_metrics.hpp).
#include "gateway/ops/process_metrics.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string_view>
#include <vector>

#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {
namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

/// The fields of /proc/self/stat after the command name, which may hold spaces and parentheses.
std::vector<std::string_view> stat_fields(std::string_view stat) {
  std::vector<std::string_view> fields;
  const auto close = stat.rfind(')');
  if (close == std::string_view::npos) return fields;
  stat.remove_prefix(close + 1);
  while (!stat.empty()) {
    const auto start = stat.find_first_not_of(' ');
    if (start == std::string_view::npos) break;
    stat.remove_prefix(start);
    const auto end = stat.find(' ');
    fields.push_back(stat.substr(0, end));
    if (end == std::string_view::npos) break;
    stat.remove_prefix(end);
  }
  return fields;
}

std::optional<std::uint64_t> number(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end == text.data()) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> boot_time_seconds() {
  const std::string stat = read_file("/proc/stat");
  const auto at = stat.find("\nbtime ");
  if (at == std::string::npos) return std::nullopt;
  const std::string_view rest = std::string_view(stat).substr(at + 7);
  return number(rest.substr(0, rest.find('\n')));
}

std::size_t open_fds() {
  std::error_code error;
  std::size_t count = 0;
  for (std::filesystem::directory_iterator it("/proc/self/fd", error), end; !error && it != end;
       it.increment(error)) {
    ++count;
  }
  return count > 0 ? count - 1 : 0;  // the iterator's own descriptor
}

void append_gauge(std::string& out, std::string_view name, std::string_view type, std::string_view help,
                  const std::string& value) {
  append_family(out, name, type, help);
  out.append(name).append(" ").append(value).append("\n");
}

std::string seconds_text(double seconds) {
  std::ostringstream text;
  text.precision(3);
  text << std::fixed << seconds;
  return text.str();
}

}  // namespace

void append_process_metrics(std::string& out) {
  // The fields are views into `stat`: it must outlive them (not a temporary).
  const std::string stat = read_file("/proc/self/stat");
  const auto fields = stat_fields(stat);
  const long ticks = ::sysconf(_SC_CLK_TCK);
  const long page = ::sysconf(_SC_PAGESIZE);
  // After the name: state is field 3, so field N is fields[N - 3] (proc(5)).
  const auto field = [&](std::size_t n) {
    return n - 3 < fields.size() ? number(fields[n - 3]) : std::nullopt;
  };
  const auto utime = field(14);
  const auto stime = field(15);
  if (utime && stime && ticks > 0) {
    append_gauge(out, "process_cpu_seconds_total", "counter",
                 "Total user and system CPU time spent in seconds.",
                 seconds_text(static_cast<double>(*utime + *stime) / static_cast<double>(ticks)));
  }
  if (const auto vsize = field(23)) {
    append_gauge(out, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.",
                 std::to_string(*vsize));
  }
  if (const auto rss = field(24); rss && page > 0) {
    append_gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
                 std::to_string(*rss * static_cast<std::uint64_t>(page)));
  }
  const auto start_ticks = field(22);
  const auto boot = boot_time_seconds();
  if (start_ticks && boot && ticks > 0) {
    append_gauge(out, "process_start_time_seconds", "gauge",
                 "Start time of the process since unix epoch in seconds.",
                 seconds_text(static_cast<double>(*boot) +
                              static_cast<double>(*start_ticks) / static_cast<double>(ticks)));
  }
  append_gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.",
               std::to_string(open_fds()));
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    append_gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.",
                 std::to_string(limit.rlim_cur));
  }
}

}  // namespace authgate::gateway
