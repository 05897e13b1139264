#include "gateway/ops/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include "authgate/reason.hpp"
#include "grammar/json_text.hpp"
#include "http/wire_writer.hpp"

namespace authgate::gateway {
namespace {

using grammar::json_string_bound;
using grammar::write_json_string;

void put_padded(char* out, long value, int width) noexcept {
  for (int i = width - 1; i >= 0; --i, value /= 10) out[i] = static_cast<char>('0' + value % 10);
}

void append_padded(std::string& out, long value, int width) {
  char buf[8];
  put_padded(buf, value, width);
  out.append(buf, static_cast<std::size_t>(width));
}

/// The calendar part of `second`, "YYYY-MM-DDTHH:MM:SS." (20 bytes); requests arrive many per second, so
/// it is formatted once per second per thread.
std::string_view calendar_part(std::chrono::sys_seconds second) {
  using namespace std::chrono;
  thread_local sys_seconds cached_second = sys_seconds::min();
  thread_local std::string cached;
  if (second != cached_second) {
    const auto day = floor<days>(second);
    const year_month_day date{day};
    const hh_mm_ss clock{second - day};
    cached.clear();
    append_padded(cached, std::clamp(static_cast<int>(date.year()), 0, 9999), 4);
    cached.push_back('-');
    append_padded(cached, static_cast<unsigned>(date.month()), 2);
    cached.push_back('-');
    append_padded(cached, static_cast<unsigned>(date.day()), 2);
    cached.push_back('T');
    append_padded(cached, clock.hours().count(), 2);
    cached.push_back(':');
    append_padded(cached, clock.minutes().count(), 2);
    cached.push_back(':');
    append_padded(cached, clock.seconds().count(), 2);
    cached.push_back('.');
    cached_second = second;
  }
  return cached;
}

constexpr std::size_t time_bytes = 24;  // "YYYY-MM-DDTHH:MM:SS.mmmZ"

char* put_rfc3339_ms(char* out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto second = floor<seconds>(ms);
  const std::string_view calendar = calendar_part(second);
  std::memcpy(out, calendar.data(), calendar.size());
  out += calendar.size();
  put_padded(out, (ms - second).count(), 3);
  out += 3;
  *out++ = 'Z';
  return out;
}

/// Writes one line into a buffer that access_line_bound() sized for its worst case: no field checks
/// for room, and `key` is the whole `,"name":` text, one copy per field.
class LineWriter {
 public:
  explicit LineWriter(char* at) noexcept : out_(at) {}

  void raw(std::string_view text) noexcept { out_.put(text); }
  void time(std::chrono::system_clock::time_point when) { out_.advance_to(put_rfc3339_ms(out_.end(), when)); }
  void string(std::string_view key, std::string_view value) noexcept {
    out_.put(key).advance_to(write_json_string(out_.end(), value));
  }
  /// A value made of characters JSON copies as they are, by construction (no escaping scan): a request
  /// id (valid_request_id() or lower hex), the protocol and the reason, which are the gateway's literals.
  void plain(std::string_view key, std::string_view value) noexcept {
    out_.put(key).put("\"").put(value).put("\"");
  }
  /// An empty value is JSON null ("no route", "no user"), not an empty string.
  void nullable(std::string_view key, std::string_view value) noexcept {
    if (value.empty()) {
      out_.put(key).put("null");
    } else {
      string(key, value);
    }
  }
  template <typename Int>
  void number(std::string_view key, Int value) noexcept {
    out_.put(key).number(value);
  }
  [[nodiscard]] char* end() const noexcept { return out_.end(); }

 private:
  WireWriter out_;
};

// Why: RFC 6750 §2.3 lets a bearer token travel as ?access_token=…; a query never reaches the log.
std::string_view logged_path(const RequestRecord& r) {
  const std::string_view path = r.path;
  // Two memchr scans, not find_first_of (one memchr on the set per character) nor a loop by hand.
  return path.substr(0, std::min(path.find('?'), path.find('#')));
}

// Every key, `true`/`false`, the time, the braces and the newline fit in this; the numbers are counted
// apart.
constexpr std::size_t fixed_bytes = 512;
constexpr std::size_t number_fields = 7;

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  const std::size_t start = out.size();
  out.resize(start + json_string_bound(value.size()));
  char* const end = write_json_string(out.data() + start, value);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

void append_rfc3339_ms(std::string& out, std::chrono::system_clock::time_point time) {
  const std::size_t start = out.size();
  out.resize(start + time_bytes);
  char* const end = put_rfc3339_ms(out.data() + start, time);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

std::size_t access_line_bound(const RequestRecord& r) noexcept {
  const std::string_view strings[] = {r.request_id.view(),
                                      r.client,
                                      r.client_ip,
                                      r.listener,
                                      r.protocol,
                                      r.method,
                                      r.host,
                                      logged_path(r),
                                      r.route,
                                      r.destination,
                                      r.forwarded_for,
                                      r.user,
                                      r.scheme,
                                      to_string(r.reason),
                                      r.user_agent,
                                      r.throttled_by};
  std::size_t bound = fixed_bytes + time_bytes + number_fields * WireWriter::max_number_bytes;
  for (const auto text : strings) bound += json_string_bound(text.size());
  return bound;
}

char* write_access_line(char* out, const RequestRecord& r) {
  LineWriter line(out);
  line.raw("{\"time\":\"");
  line.time(r.start);
  line.raw("\"");
  if (!r.request_id.empty()) line.plain(R"(,"request_id":)", r.request_id.view());
  line.string(R"(,"client":)", r.client);
  line.string(R"(,"client_ip":)", r.client_ip);
  line.number(R"(,"client_port":)", r.client_port);
  line.string(R"(,"listener":)", r.listener);
  if (r.protocol.empty()) {
    line.raw(R"(,"protocol":null)");
  } else {
    line.plain(R"(,"protocol":)", r.protocol);
  }
  line.string(R"(,"method":)", r.method);
  line.nullable(R"(,"host":)", r.host);
  line.string(R"(,"path":)", logged_path(r));
  line.nullable(R"(,"route":)", r.route);
  if (!r.destination.empty()) line.string(R"(,"destination":)", r.destination);
  if (!r.forwarded_for.empty()) line.string(R"(,"forwarded_for":)", r.forwarded_for);
  line.number(R"(,"status":)", r.status);
  line.nullable(R"(,"user":)", r.user);
  line.nullable(R"(,"scheme":)", r.scheme);
  line.plain(R"(,"reason":)", to_string(r.reason));
  line.nullable(R"(,"user_agent":)", r.user_agent);
  if (!r.throttled_by.empty()) line.string(R"(,"throttled_by":)", r.throttled_by);
  line.raw(r.cache_hit ? ",\"cache_hit\":true" : ",\"cache_hit\":false");
  line.number(R"(,"auth_us":)", r.auth_time.count());
  line.number(R"(,"upstream_us":)", r.upstream_time.count());
  line.number(R"(,"total_us":)", r.total_time.count());
  line.number(R"(,"bytes_in":)", r.bytes_in);
  line.number(R"(,"bytes_out":)", r.bytes_out);
  line.raw("}\n");
  return line.end();
}

void append_access_line(std::string& out, const RequestRecord& record) {
  const std::size_t start = out.size();
  out.resize(start + access_line_bound(record));
  char* const end = write_access_line(out.data() + start, record);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

// --- the writer -----------------------------------------------------------------------------------------

namespace {

constexpr int open_flags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC;
constexpr mode_t file_mode = 0640;  // the log names users and client addresses: not world-readable

}  // namespace

std::unique_ptr<AccessLog> AccessLog::open(AccessLogOptions options, std::error_code& error) {
  error.clear();
  int fd = STDOUT_FILENO;
  if (options.path != "-") {
    fd = ::open(options.path.c_str(), open_flags, file_mode);
    if (fd < 0) {
      error = std::error_code(errno, std::generic_category());
      return nullptr;
    }
  }
  return std::unique_ptr<AccessLog>(new AccessLog(std::move(options), fd));
}

AccessLog::AccessLog(AccessLogOptions options, int fd) : options_(std::move(options)), fd_(fd) {
  pending_.reserve(options_.flush_bytes * 2);
  writer_ = std::thread([this] { run_writer(); });
}

AccessLog::~AccessLog() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_writer_.notify_one();
  writer_.join();
  if (fd_ != STDOUT_FILENO) ::close(fd_);
}

void AccessLog::write(const RequestRecord& record) noexcept {
  try {
    // Formatted outside the lock into this thread's buffer, which only grows: no allocation per line.
    thread_local std::unique_ptr<char[]> buffer;
    thread_local std::size_t buffer_size = 0;
    const std::size_t bound = access_line_bound(record);
    if (bound > buffer_size) {
      buffer = std::make_unique_for_overwrite<char[]>(bound);
      buffer_size = bound;
    }
    const auto written = static_cast<std::size_t>(write_access_line(buffer.get(), record) - buffer.get());
    if (written > bound) std::abort();  // a bound that fell short: stop before the corruption spreads
    const std::string_view line(buffer.get(), written);
    bool wake = false;
    {
      const std::lock_guard lock(mutex_);
      if (pending_.size() + line.size() > options_.max_pending_bytes) {
        ++dropped_lines_;  // the disk is not keeping up: never stall an I/O thread for a log line
        return;
      }
      pending_.append(line);
      queued_bytes_ += line.size();
      wake = pending_.size() >= options_.flush_bytes;
    }
    if (wake) wake_writer_.notify_one();
  } catch (...) {
    const std::lock_guard lock(mutex_);
    ++dropped_lines_;  // out of memory: lose the line, keep serving
  }
}

void AccessLog::run_writer() {
  std::string batch;
  batch.reserve(options_.flush_bytes * 2);  // it becomes pending_ at the first swap: as roomy as that one
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_writer_.wait_for(lock, options_.flush_interval, [this] {
      return stopping_ || flush_requested_ || pending_.size() >= options_.flush_bytes;
    });
    flush_requested_ = false;
    if (pending_.empty()) {
      if (stopping_) return;
      continue;
    }
    batch.swap(pending_);
    lock.unlock();
    write_out(batch);
    const std::uint64_t done = batch.size();
    batch.clear();
    // A burst can grow a buffer far past flush_bytes; keeping that capacity would hold the memory
    // forever (it alternates with pending_), so it goes back and the buffer starts at its usual size.
    if (batch.capacity() > options_.flush_bytes * 4) {
      std::string{}.swap(batch);
      batch.reserve(options_.flush_bytes * 2);
    }
    lock.lock();
    written_bytes_ += done;
    written_.notify_all();
  }
}

void AccessLog::write_out(const std::string& batch) {
  std::size_t offset = 0;
  while (offset < batch.size()) {
    const ssize_t n = ::write(fd_, batch.data() + offset, batch.size() - offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const auto lost = std::count(batch.begin() + static_cast<std::ptrdiff_t>(offset), batch.end(), '\n');
      const std::lock_guard lock(mutex_);
      dropped_lines_ += static_cast<std::uint64_t>(lost);  // disk full, closed pipe: lose lines, not requests
      return;
    }
    offset += static_cast<std::size_t>(n);
  }
}

std::error_code AccessLog::reopen() {
  if (fd_ == STDOUT_FILENO) return {};
  const int fresh = ::open(options_.path.c_str(), open_flags, file_mode);
  if (fresh < 0) return {errno, std::generic_category()};
  // dup3 swaps the file behind fd_ atomically: a write() in progress finishes on the old file, the next one
  // goes to the new file, and the writer never holds a closed or reused descriptor.
  const int result = ::dup3(fresh, fd_, O_CLOEXEC);
  const std::error_code error =
      result < 0 ? std::error_code(errno, std::generic_category()) : std::error_code();
  ::close(fresh);
  return error;
}

void AccessLog::flush() {
  std::unique_lock lock(mutex_);
  const std::uint64_t target = queued_bytes_;
  flush_requested_ = true;
  wake_writer_.notify_one();
  written_.wait(lock, [&] { return written_bytes_ >= target; });
}

std::uint64_t AccessLog::dropped_lines() const noexcept {
  const std::lock_guard lock(mutex_);
  return dropped_lines_;
}

}  // namespace authgate::gateway
