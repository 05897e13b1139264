#pragma once
// The access log: one JSON object per finished request, one per line, to standard output or a file.
// Plain C++ (no Asio/Beast) so any file may include it cheaply.
//
// I/O threads never block on the disk: write() formats the line on the calling thread and appends it to a
// bounded in-memory buffer; one writer thread hands the buffer to the OS in a single write() when it holds
// flush_bytes or every flush_interval. When the disk cannot keep up and max_pending_bytes are waiting, new
// lines are dropped and counted rather than stalling requests.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>

#include "gateway/ops/request_record.hpp"

namespace authgate::gateway {

/// Appends `value` as a JSON string literal, quotes included. Escapes `"`, `\`, every control character
/// (C0, DEL, C1) and U+2028/U+2029; each byte that is not part of well-formed UTF-8 (RFC 3629 §4: no overlong
/// forms, no surrogates, nothing above U+10FFFF) becomes \ufffd. The output is valid JSON and one line.
void append_json_string(std::string& out, std::string_view value);

/// Appends `time` as RFC 3339 UTC with milliseconds, e.g. 2024-05-01T12:34:56.789Z (no quotes).
void append_rfc3339_ms(std::string& out, std::chrono::system_clock::time_point time);

/// Appends the access-log line of `record`: a JSON object and '\n'. Empty route, user and scheme are null.
/// The path is cut at the first '?' or '#' even if the pipeline left a query in it.
void append_access_line(std::string& out, const RequestRecord& record);

/// The most bytes the line of `record` can take, and that line written at `out` (room for the bound);
/// returns its end. What append_access_line does, without a string.
std::size_t access_line_bound(const RequestRecord& record) noexcept;
char* write_access_line(char* out, const RequestRecord& record);

struct AccessLogOptions {
  std::string path = "-";                            // "-" = standard output; else appended, created 0640
  std::size_t flush_bytes = std::size_t{64} * 1024;  // wake the writer when this much is waiting
  std::size_t max_pending_bytes =
      std::size_t{8} * 1024 * 1024;               // beyond this, new lines are dropped and counted
  std::chrono::milliseconds flush_interval{200};  // longest time a line waits in memory
};

/// The running access log. All members are thread-safe.
class AccessLog {
 public:
  /// Opens the log and starts its writer thread; nullptr and `error` set when the file cannot be opened.
  static std::unique_ptr<AccessLog> open(AccessLogOptions options, std::error_code& error);

  /// Writes everything still buffered, then stops the writer thread.
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  /// Queues the line of `record`. Never blocks on I/O; never throws (a line that cannot be queued is
  /// dropped).
  void write(const RequestRecord& record) noexcept;

  /// Opens the path again (after logrotate moved the file away; call it on SIGHUP). On failure the old file
  /// stays in use and the error is returned. A no-op for standard output.
  std::error_code reopen();

  /// Blocks until every line queued before the call has been handed to the OS (tests, shutdown).
  void flush();

  /// Lines dropped because max_pending_bytes were waiting, or lost to a failed write().
  std::uint64_t dropped_lines() const noexcept;

  /// The configured path ("-" for standard output).
  const std::string& path() const noexcept { return options_.path; }

 private:
  AccessLog(AccessLogOptions options, int fd);
  void run_writer();
  void write_out(const std::string& batch);

  AccessLogOptions options_;
  int fd_;  // replaced in place by reopen() (dup3), so the writer never sees a closed descriptor
  mutable std::mutex mutex_;
  std::condition_variable wake_writer_;
  std::condition_variable written_;
  std::string pending_;              // guarded by mutex_
  std::uint64_t queued_bytes_ = 0;   // guarded by mutex_: total ever appended to pending_
  std::uint64_t written_bytes_ = 0;  // guarded by mutex_: total the writer has finished with
  std::uint64_t dropped_lines_ = 0;  // guarded by mutex_
  bool flush_requested_ = false;     // guarded by mutex_
  bool stopping_ = false;            // guarded by mutex_
  std::thread writer_;
};

}  // namespace authgate::gateway
