#pragma once
// The standard process metrics every Prometheus client library exports (process_cpu_seconds_total,
// process_resident_memory_bytes, process_virtual_memory_bytes, process_open_fds, process_max_fds,
// process_start_time_seconds), read from /proc/self at scrape time, so dashboards and alerts written for
// any exporter work unchanged.

#include <string>

namespace authgate::gateway {

/// Appends the process families in the text exposition format. A value /proc does not give is left out.
void append_process_metrics(std::string& out);

}  // namespace authgate::gateway
