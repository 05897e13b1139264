#include "gateway/ops/access_log.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace authgate::gateway {
namespace {

namespace fs = std::filesystem;
using std::chrono::microseconds;
using std::chrono::milliseconds;

struct JsonCase {
  const char* name;
  std::string input;
  std::string expected;  // without the surrounding quotes
  const char* why;
};

TEST(AppendJsonString, EscapesEverythingThatCouldBreakOrForgeALine) {
  const std::vector<JsonCase> cases = {
      {"plain", "/api/v1", "/api/v1", "ordinary text is copied"},
      {"quote", "a\"b", "a\\\"b", "a quote would end the string"},
      {"backslash", "a\\b", "a\\\\b", "the escape character escapes itself"},
      {"newline", "a\nb", "a\\nb", "a raw line feed would forge a second log line (CWE-117)"},
      {"carriage return", "a\rb", "a\\rb", "a raw CR would rewrite the line on a terminal"},
      {"tab backspace formfeed", "\t\b\f", "\\t\\b\\f", "the short JSON escapes are used where they exist"},
      {"nul", std::string("a\0b", 3), "a\\u0000b", "an embedded NUL is a C0 control"},
      {"other C0", "\x01\x1f", "\\u0001\\u001f", "every C0 control is escaped (RFC 8259 §7)"},
      {"escape sequence", "\x1b[31m", "\\u001b[31m", "an ANSI escape must not colour an operator's terminal"},
      {"del", "\x7f", "\\u007f", "DEL is a control character too"},
      {"two-byte", "caf\xc3\xa9", "caf\xc3\xa9", "well-formed UTF-8 stays readable"},
      {"three-byte", "\xe2\x82\xac", "\xe2\x82\xac", "the euro sign is well-formed"},
      {"four-byte", "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", "an emoji outside the BMP is well-formed"},
      {"C1 control", "\xc2\x9b", "\\u009b", "U+009B is the 8-bit CSI of some terminals"},
      {"line separator", "\xe2\x80\xa8|\xe2\x80\xa9", "\\u2028|\\u2029",
       "JavaScript log viewers split on these"},
      {"lone continuation", "a\x80z", "a\\ufffdz", "a continuation byte cannot start a sequence"},
      {"truncated at end", "a\xc3", "a\\ufffd", "a sequence cut off by the end of the string"},
      {"truncated by ascii", "\xe2\x82z", "\\ufffd\\ufffdz", "each byte of a broken sequence is replaced"},
      {"overlong slash", "\xc0\xaf", "\\ufffd\\ufffd", "overlong '/' is the classic path-traversal trick"},
      {"overlong three-byte", "\xe0\x80\xaf", "\\ufffd\\ufffd\\ufffd", "E0 needs a second byte of A0..BF"},
      {"surrogate", "\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd", "UTF-16 surrogates are not characters"},
      {"above U+10FFFF", "\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd",
       "the code space ends at U+10FFFF"},
      {"invalid lead", "\xf5\xff", "\\ufffd\\ufffd", "F5..FF never appear in UTF-8"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_json_string(out, c.input);
    EXPECT_EQ(out, "\"" + c.expected + "\"") << c.name << ": " << c.why;
    boost::system::error_code ec;
    const boost::json::value parsed = boost::json::parse(out, ec);
    ASSERT_FALSE(ec) << c.name << ": the output must be valid JSON";
    EXPECT_TRUE(parsed.is_string()) << c.name;
  }
}

struct TimeCase {
  const char* name;
  std::chrono::system_clock::time_point time;
  const char* expected;
  const char* why;
};

TEST(AppendRfc3339Ms, FormatsUtcWithMilliseconds) {
  using namespace std::chrono;
  const auto at = [](int y, unsigned m, unsigned d) { return sys_days{year{y} / month{m} / day{d}}; };
  const std::vector<TimeCase> cases = {
      {"epoch", system_clock::time_point{}, "1970-01-01T00:00:00.000Z", "zero is the Unix epoch"},
      {"leap day", at(2024, 2, 29) + hours{23} + minutes{59} + seconds{59} + milliseconds{999},
       "2024-02-29T23:59:59.999Z", "calendar arithmetic handles leap years"},
      {"sub-millisecond", at(2001, 9, 9) + hours{1} + minutes{46} + seconds{40} + microseconds{1'999},
       "2001-09-09T01:46:40.001Z", "microseconds are truncated, never rounded into the next second"},
      {"same second again", at(2001, 9, 9) + hours{1} + minutes{46} + seconds{40} + milliseconds{250},
       "2001-09-09T01:46:40.250Z", "the calendar part cached for this second is reused"},
      {"next second", at(2001, 9, 9) + hours{1} + minutes{46} + seconds{41}, "2001-09-09T01:46:41.000Z",
       "a new second formats the calendar part again"},
      {"back to the epoch", system_clock::time_point{}, "1970-01-01T00:00:00.000Z",
       "clocks may step backwards; the cache follows"},
  };
  for (const auto& c : cases) {
    std::string out;
    append_rfc3339_ms(out, c.time);
    EXPECT_EQ(out, c.expected) << c.name << ": " << c.why;
  }
}

RequestRecord sample_record() {
  using namespace std::chrono;
  RequestRecord r;
  r.start = sys_days{year{2024} / 5 / 1} + hours{12} + minutes{34} + seconds{56} + milliseconds{789};
  r.client = "192.0.2.7:51234";
  r.client_ip = "192.0.2.7";
  r.client_port = 51234;
  r.listener = "public";
  r.protocol = "HTTP/1.1";
  r.method = "GET";
  r.host = "app.example";
  r.user_agent = "curl/7.88.1";
  r.path = "/private/report";
  r.route = "private";
  r.status = 200;
  r.user = "alice";
  r.scheme = "Basic";
  r.reason = Reason::ok;
  r.cache_hit = true;
  r.cache_lookup = true;
  r.auth_time = microseconds{12};
  r.upstream_time = microseconds{345};
  r.total_time = microseconds{400};
  r.bytes_in = 0;
  r.bytes_out = 1234;
  return r;
}

TEST(AppendAccessLine, WritesEveryFieldInOneJsonLine) {
  std::string line;
  append_access_line(line, sample_record());
  EXPECT_EQ(
      line,
      "{\"time\":\"2024-05-01T12:34:56.789Z\",\"client\":\"192.0.2.7:51234\",\"client_ip\":\"192.0.2.7\","
      "\"client_port\":51234,\"listener\":\"public\",\"protocol\":\"HTTP/1.1\",\"method\":\"GET\","
      "\"host\":\"app.example\",\"path\":\"/private/report\",\"route\":\"private\",\"status\":200,"
      "\"user\":\"alice\",\"scheme\":\"Basic\",\"reason\":\"ok\",\"user_agent\":\"curl/7.88.1\","
      "\"cache_hit\":true,\"auth_us\":12,\"upstream_us\":345,\"total_us\":400,\"bytes_in\":0,"
      "\"bytes_out\":1234}\n");
}

TEST(AppendAccessLine, WritesNullForNoRouteNoUserNoScheme) {
  RequestRecord r = sample_record();
  r.route = {};
  r.user.clear();
  r.scheme = {};
  r.status = 404;
  r.reason = Reason::route_not_found;
  std::string line;
  append_access_line(line, r);
  const boost::json::object o = boost::json::parse(line).as_object();
  EXPECT_TRUE(o.at("route").is_null());
  EXPECT_TRUE(o.at("user").is_null());
  EXPECT_TRUE(o.at("scheme").is_null());
  EXPECT_EQ(o.at("reason").as_string(), "route_not_found");
  EXPECT_EQ(o.at("status").as_int64(), 404);
}

TEST(AppendAccessLine, NeverLogsTheQueryStringWhereBearerTokensMayTravel) {
  // RFC 6750 §2.3: `?access_token=…` is a credential in the URI. Even if the pipeline hands over a path with
  // its query by mistake, the log keeps only the path.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/api?access_token=SECRET", "/api"},   {"/api/?x=1&access_token=SECRET", "/api/"},
      {"/page#access_token=SECRET", "/page"}, {"?access_token=SECRET", ""},
      {"/a#b?access_token=SECRET", "/a"},  // whichever of '?' and '#' comes first ends the path
      {"/a?b#access_token=SECRET", "/a"},
  };
  for (const auto& [path, logged] : cases) {
    RequestRecord r = sample_record();
    r.path = path;
    std::string line;
    append_access_line(line, r);
    EXPECT_EQ(line.find("SECRET"), std::string::npos) << path;
    EXPECT_EQ(boost::json::parse(line).as_object().at("path").as_string(), logged) << path;
  }
}

TEST(AccessLineBound, HoldsALineWithEveryFieldAtItsLongestAndWorst) {
  RequestRecord r;
  const std::string hostile(300, '\x7f');
  r.request_id = choose_request_id(std::string(64, 'x'), "", true);
  r.client = hostile;
  r.client_ip = hostile;
  r.listener = hostile;
  r.protocol = hostile;
  r.method = hostile;
  r.host = hostile;
  r.path = hostile;
  r.route = hostile;
  r.destination = hostile;
  r.forwarded_for = hostile;
  r.user = hostile;
  r.scheme = hostile;
  r.user_agent = hostile;
  r.throttled_by = hostile;
  r.status = -2147483647 - 1;
  r.client_port = 65535;
  r.auth_time = std::chrono::microseconds::min();
  r.upstream_time = std::chrono::microseconds::min();
  r.total_time = std::chrono::microseconds::min();
  r.bytes_in = ~std::uint64_t{0};
  r.bytes_out = ~std::uint64_t{0};
  r.start = std::chrono::system_clock::time_point{} + std::chrono::hours(24 * 365 * 200);
  const std::size_t bound = access_line_bound(r);
  std::string out(bound + 16, '#');
  char* const end = write_access_line(out.data(), r);
  EXPECT_LE(static_cast<std::size_t>(end - out.data()), bound);
  EXPECT_EQ(out.substr(bound), std::string(16, '#'));
}

/// A fresh directory under the system temp dir, removed with its content at the end of the test.
class AccessLogFile : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("authgate-access-log-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::vector<std::string> lines_of(const fs::path& file) {
    std::ifstream in(file);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  std::unique_ptr<AccessLog> open_log(AccessLogOptions options) {
    std::error_code ec;
    auto log = AccessLog::open(std::move(options), ec);
    EXPECT_FALSE(ec) << ec.message();
    return log;
  }

  fs::path dir_;
};

TEST_F(AccessLogFile, ConcurrentWritersProduceWholeLinesOnly) {
  const fs::path file = dir_ / "access.log";
  auto log = open_log({.path = file.string(), .flush_bytes = 4096});
  constexpr int kThreads = 4;
  constexpr int kLines = 2'000;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      RequestRecord r = sample_record();
      for (int i = 0; i < kLines; ++i) {
        r.path = "/t" + std::to_string(t) + "/" + std::to_string(i) + "\n\"";
        log->write(r);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  log->flush();
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  for (const auto& line : lines) {
    boost::system::error_code ec;
    boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "not one JSON object: " << line;
  }
  EXPECT_EQ(log->dropped_lines(), 0u);
}

TEST_F(AccessLogFile, CreatesTheFileReadableByOwnerAndGroupOnly) {
  const fs::path file = dir_ / "access.log";
  auto log = open_log({.path = file.string()});
  struct stat st {};
  ASSERT_EQ(::stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0007, 0u) << "user names and addresses are not for every local account";
}

TEST_F(AccessLogFile, AppendsToAnExistingFile) {
  const fs::path file = dir_ / "access.log";
  std::ofstream(file) << "earlier line\n";
  auto log = open_log({.path = file.string()});
  log->write(sample_record());
  log->flush();
  const auto lines = lines_of(file);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], "earlier line");
}

TEST_F(AccessLogFile, ReopenAfterRotationWritesToTheNewFile) {
  const fs::path file = dir_ / "access.log";
  auto log = open_log({.path = file.string()});
  log->write(sample_record());
  log->flush();
  fs::rename(file, dir_ / "access.log.1");  // what logrotate does before it sends SIGHUP
  log->write(sample_record());
  log->flush();
  EXPECT_FALSE(log->reopen());
  log->write(sample_record());
  log->flush();
  EXPECT_EQ(lines_of(dir_ / "access.log.1").size(), 2u) << "lines before reopen() follow the renamed file";
  EXPECT_EQ(lines_of(file).size(), 1u) << "lines after reopen() go to a fresh file at the configured path";
}

TEST_F(AccessLogFile, FailedReopenKeepsWritingToTheOldFile) {
  fs::create_directories(dir_ / "logs");
  auto log = open_log({.path = (dir_ / "logs" / "access.log").string()});
  fs::rename(dir_ / "logs", dir_ / "moved");  // the configured directory is gone
  EXPECT_TRUE(log->reopen());
  log->write(sample_record());
  log->flush();
  EXPECT_EQ(lines_of(dir_ / "moved" / "access.log").size(), 1u);
}

TEST_F(AccessLogFile, OpenReportsAnUnwritablePath) {
  std::error_code ec;
  auto log = AccessLog::open({.path = (dir_ / "missing" / "access.log").string()}, ec);
  EXPECT_EQ(log, nullptr);
  EXPECT_EQ(ec, std::errc::no_such_file_or_directory);
}

TEST_F(AccessLogFile, DropsLinesInsteadOfBlockingWhenTheBufferIsFull) {
  std::string one;
  append_access_line(one, sample_record());
  const fs::path file = dir_ / "access.log";
  // The writer sleeps (long interval, high threshold): the bound alone decides what is kept.
  auto log = open_log({.path = file.string(),
                       .flush_bytes = 1 << 20,
                       .max_pending_bytes = one.size() * 3,
                       .flush_interval = std::chrono::minutes(10)});
  for (int i = 0; i < 10; ++i) log->write(sample_record());
  EXPECT_EQ(log->dropped_lines(), 7u);
  log->flush();
  EXPECT_EQ(lines_of(file).size(), 3u);
}

TEST_F(AccessLogFile, WritesTheLastLinesOnDestruction) {
  const fs::path file = dir_ / "access.log";
  {
    auto log = open_log({.path = file.string(), .flush_interval = std::chrono::minutes(10)});
    log->write(sample_record());
  }
  EXPECT_EQ(lines_of(file).size(), 1u);
}

}  // namespace
}  // namespace authgate::gateway
