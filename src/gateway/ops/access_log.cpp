#include "gateway/ops/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <utility>

#include "authgate/reason.hpp"
#include "grammar/utf8.hpp"

namespace authgate::gateway {
namespace {

constexpr char hex_digits[] = "0123456789abcdef";

void append_unicode_escape(std::string& out, unsigned code) {
  const char escape[] = {'\\',
                         'u',
                         hex_digits[(code >> 12) & 0xf],
                         hex_digits[(code >> 8) & 0xf],
                         hex_digits[(code >> 4) & 0xf],
                         hex_digits[code & 0xf]};
  out.append(escape, sizeof escape);
}

void append_ascii_escape(std::string& out, unsigned char c) {
  switch (c) {
    case '"':
      out.append("\\\"");
      break;
    case '\\':
      out.append("\\\\");
      break;
    case '\b':
      out.append("\\b");
      break;
    case '\f':
      out.append("\\f");
      break;
    case '\n':
      out.append("\\n");
      break;
    case '\r':
      out.append("\\r");
      break;
    case '\t':
      out.append("\\t");
      break;
    default:
      append_unicode_escape(out, c);  // other C0 controls and DEL
  }
}

bool is_plain_ascii(unsigned char c) { return c >= 0x20 && c < 0x7f && c != '"' && c != '\\'; }

/// Appends the well-formed sequence s[i, i+len), escaping C1 controls and U+2028/U+2029.
void append_utf8(std::string& out, std::string_view s, std::size_t i, std::size_t len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if (b0 == 0xc2 && b1 < 0xa0) {
    append_unicode_escape(out, b1);  // U+0080–U+009F: C1 controls (8-bit CSI) must not reach a terminal
  } else if (len == 3 && b0 == 0xe2 && b1 == 0x80 && (s[i + 2] == '\xa8' || s[i + 2] == '\xa9')) {
    append_unicode_escape(out, 0x2000u + (static_cast<unsigned char>(s[i + 2]) - 0x80u));  // U+2028, U+2029
  } else {
    out.append(s.substr(i, len));
  }
}

template <typename Int>
void append_int(std::string& out, Int value) {
  char buf[24];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  out.append(buf, end);
}

void append_padded(std::string& out, long value, int width) {
  char buf[8];
  for (int i = width - 1; i >= 0; --i, value /= 10) buf[i] = static_cast<char>('0' + value % 10);
  out.append(buf, static_cast<std::size_t>(width));
}

// `key` is the whole `,"name":` text, one literal per field: one append instead of three, per field
// and request.
void append_key(std::string& out, std::string_view key) { out.append(key); }

void string_field(std::string& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  append_json_string(out, value);
}

/// An empty value is JSON null ("no route", "no user"), not an empty string.
void nullable_field(std::string& out, std::string_view key, std::string_view value) {
  append_key(out, key);
  if (value.empty()) {
    out.append("null");
  } else {
    append_json_string(out, value);
  }
}

template <typename Int>
void number_field(std::string& out, std::string_view key, Int value) {
  append_key(out, key);
  append_int(out, value);
}

}  // namespace

void append_json_string(std::string& out, std::string_view value) {
  out.push_back('"');
  std::size_t i = 0;
  char32_t code_point = 0;  // unused: append_utf8 works on the bytes
  while (i < value.size()) {
    std::size_t run = i;
    while (run < value.size() && is_plain_ascii(static_cast<unsigned char>(value[run]))) ++run;
    out.append(value.substr(i, run - i));
    if (run == value.size()) break;
    i = run;
    const auto c = static_cast<unsigned char>(value[i]);
    if (c < 0x80) {
      // Why: a raw newline or quote from a client-chosen path would forge a log line (CWE-117).
      append_ascii_escape(out, c);
      ++i;
    } else if (const std::size_t len = grammar::utf8_sequence(value, i, code_point); len == 0) {
      out.append("\\ufffd");  // one replacement per ill-formed byte; the line stays valid UTF-8 JSON
      ++i;
    } else {
      append_utf8(out, value, i, len);
      i += len;
    }
  }
  out.push_back('"');
}

void append_rfc3339_ms(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto ms = floor<milliseconds>(time);
  const auto second = floor<seconds>(ms);
  // Requests arrive many per second: the calendar part is formatted once per second per thread.
  thread_local sys_seconds cached_second = sys_seconds::min();
  thread_local std::string cached;  // "YYYY-MM-DDTHH:MM:SS."
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
  out.append(cached);
  append_padded(out, (ms - second).count(), 3);
  out.push_back('Z');
}

void append_access_line(std::string& out, const RequestRecord& r) {
  // Why: RFC 6750 §2.3 lets a bearer token travel as ?access_token=…; a query never reaches the log.
  const std::string_view path = std::string_view(r.path).substr(0, r.path.find_first_of("?#"));
  out.append("{\"time\":\"");
  append_rfc3339_ms(out, r.start);
  out.push_back('"');
  if (!r.request_id.empty()) string_field(out, R"(,"request_id":)", r.request_id.view());
  string_field(out, R"(,"client":)", r.client);
  string_field(out, R"(,"client_ip":)", r.client_ip);
  number_field(out, R"(,"client_port":)", r.client_port);
  string_field(out, R"(,"listener":)", r.listener);
  nullable_field(out, R"(,"protocol":)", r.protocol);
  string_field(out, R"(,"method":)", r.method);
  nullable_field(out, R"(,"host":)", r.host);
  string_field(out, R"(,"path":)", path);
  nullable_field(out, R"(,"route":)", r.route);
  if (!r.destination.empty()) string_field(out, R"(,"destination":)", r.destination);
  if (!r.forwarded_for.empty()) string_field(out, R"(,"forwarded_for":)", r.forwarded_for);
  number_field(out, R"(,"status":)", r.status);
  nullable_field(out, R"(,"user":)", r.user);
  nullable_field(out, R"(,"scheme":)", r.scheme);
  string_field(out, R"(,"reason":)", to_string(r.reason));
  nullable_field(out, R"(,"user_agent":)", r.user_agent);
  if (!r.throttled_by.empty()) string_field(out, R"(,"throttled_by":)", r.throttled_by);
  out.append(r.cache_hit ? ",\"cache_hit\":true" : ",\"cache_hit\":false");
  number_field(out, R"(,"auth_us":)", r.auth_time.count());
  number_field(out, R"(,"upstream_us":)", r.upstream_time.count());
  number_field(out, R"(,"total_us":)", r.total_time.count());
  number_field(out, R"(,"bytes_in":)", r.bytes_in);
  number_field(out, R"(,"bytes_out":)", r.bytes_out);
  out.append("}\n");
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
    thread_local std::string line;  // formatted outside the lock, without a fresh allocation per line
    line.clear();
    append_access_line(line, record);
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
