// The load generator of bench/compare's Digest scenario. wrk's shape — one thread, N keep-alive
// connections with one request in flight on each, a fixed duration — with what wrk cannot give: each
// connection fetches its own nonce (one 401 before its first counted request), then counts nc up from 1
// on it, and every request carries its own response, one SHA-256 (OpenSSL) with H(A1) and H(A2)
// computed once. A server that refuses a replayed or reordered nc (authgate, RFC 7616 §3.4) thus sees
// every connection's requests in order, which one nonce shared by all connections cannot promise: the
// server reads its connections in whatever order they become ready. A 401 with a new challenge (stale
// nonce) is counted, and the connection goes on with the new nonce as a client would.
//
//   digest_load PORT PATH CONNECTIONS SECONDS TIMEOUT_S [USER HA1]
//
// Without USER and HA1 it sends plain GETs (how its rate compares with wrk's). It prints the line
// bench/compare.d/wrk/report.lua prints, so bench/compare reads both tools the same way:
//   WRK_RESULT {"requests":…,"duration_us":…,"bytes":…,"errors":{…},"latency_us":{…},"statuses":…}
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "http_reply.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using loadbench::Parsed;
using loadbench::Reply;

struct Options {
  std::uint16_t port = 0;
  std::string path;
  int connections = 0;
  std::chrono::microseconds duration{}, timeout{};
  std::string user, ha1;  // empty: plain GETs
};

struct Stats {
  std::uint64_t requests = 0, bytes = 0;
  std::uint64_t connect = 0, read = 0, write = 0, status = 0, timeout = 0;
  std::map<int, std::uint64_t> statuses;
  std::vector<std::uint32_t> latency_us;
};

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return out;
}

std::string sha256_hex(std::string_view data) {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (md == nullptr || EVP_Digest(data.data(), data.size(), digest, &size, md, nullptr) != 1) {
    std::fprintf(stderr, "digest_load: OpenSSL has no SHA-256\n");
    std::exit(2);
  }
  return hex(digest, size);
}

/// One keep-alive connection and the Digest client state of its nonce.
struct Connection {
  int fd = -1;
  bool connecting = false;
  bool counted = false;  // the request in flight is a measured one (not the nonce fetch)
  std::string nonce, opaque, cnonce;
  std::uint32_t nc = 0;
  std::string out, in;
  std::size_t sent = 0;
  Clock::time_point started;
};

class Load {
 public:
  explicit Load(Options options)
      : o_(std::move(options)), epoll_(epoll_create1(0)), ha2_(sha256_hex("GET:" + o_.path)) {
    connections_.resize(static_cast<std::size_t>(o_.connections));
    stats_.latency_us.reserve(1 << 20);
  }

  Stats run() {
    for (auto& c : connections_) open(c);
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + o_.duration;
    Clock::time_point swept = start;
    std::vector<epoll_event> events(connections_.size());
    while (Clock::now() < deadline) {
      const int n = epoll_wait(epoll_, events.data(), static_cast<int>(events.size()), 10);
      for (int i = 0; i < n; ++i) on_event(*static_cast<Connection*>(events[i].data.ptr), events[i].events);
      if (Clock::now() - swept > std::chrono::milliseconds(100)) swept = sweep_timeouts();
    }
    elapsed_ = Clock::now() - start;
    for (auto& c : connections_) close(c);
    return std::move(stats_);
  }

  std::chrono::microseconds elapsed() const {
    return std::chrono::duration_cast<std::chrono::microseconds>(elapsed_);
  }

 private:
  bool digest() const { return !o_.user.empty(); }

  /// Connects `c` (again); a connection refused at once is retried by the next sweep.
  void open(Connection& c) {
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(o_.port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    c.in.clear();
    c.out.clear();
    c.sent = 0;
    c.started = Clock::now();
    c.connecting = ::connect(c.fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0;
    if (c.connecting && errno != EINPROGRESS) {
      ++stats_.connect;
      close(c);
      return;
    }
    epoll_event event{c.connecting ? EPOLLOUT : EPOLLIN, {.ptr = &c}};
    epoll_ctl(epoll_, EPOLL_CTL_ADD, c.fd, &event);
    if (!c.connecting) start_request(c);
  }

  void close(Connection& c) {
    if (c.fd >= 0) ::close(c.fd);  // also leaves the epoll set
    c.fd = -1;
  }

  /// Level-triggered: readable always; writable only while connecting or while a send would block.
  void watch(Connection& c, std::uint32_t events) {
    epoll_event event{events, {.ptr = &c}};
    epoll_ctl(epoll_, EPOLL_CTL_MOD, c.fd, &event);
  }

  void fail(Connection& c, std::uint64_t& counter) {
    ++counter;
    close(c);
    open(c);
  }

  /// The next request on `c`: the nonce fetch (no Authorization) while it has no nonce, else counted.
  void start_request(Connection& c) {
    c.counted = !digest() || !c.nonce.empty();
    c.out = "GET " + o_.path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o_.port) + "\r\n";
    if (digest() && c.counted) c.out += "Authorization: " + authorization(c) + "\r\n";
    c.out += "\r\n";
    c.sent = 0;
    c.started = Clock::now();
    flush(c);
  }

  /// RFC 7616 §3.4 with qop=auth: response = H(HA1:nonce:nc:cnonce:auth:HA2), the next nc.
  std::string authorization(Connection& c) {
    char nc[9];
    std::snprintf(nc, sizeof nc, "%08x", ++c.nc);
    const std::string response =
        sha256_hex(o_.ha1 + ":" + c.nonce + ":" + nc + ":" + c.cnonce + ":auth:" + ha2_);
    std::string value = "Digest username=\"" + o_.user + "\", realm=\"" + realm_ + "\", nonce=\"" + c.nonce +
                        "\", uri=\"" + o_.path + "\", algorithm=SHA-256, qop=auth, cnonce=\"" + c.cnonce +
                        "\", nc=" + nc + ", response=\"" + response + "\"";
    if (!c.opaque.empty()) value += ", opaque=\"" + c.opaque + "\"";
    return value;
  }

  void flush(Connection& c) {
    while (c.sent < c.out.size()) {
      const ssize_t n = ::send(c.fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return watch(c, EPOLLIN | EPOLLOUT);
      if (n <= 0) return fail(c, stats_.write);
      c.sent += static_cast<std::size_t>(n);
    }
  }

  void on_event(Connection& c, std::uint32_t events) {
    if (c.fd < 0) return;
    if (c.connecting) {
      int error = 0;
      socklen_t size = sizeof error;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &size);
      if (error != 0) return fail(c, stats_.connect);
      c.connecting = false;
      watch(c, EPOLLIN);
      return start_request(c);
    }
    if ((events & EPOLLOUT) != 0 && c.sent < c.out.size()) {
      flush(c);
      if (c.fd >= 0 && c.sent == c.out.size()) watch(c, EPOLLIN);
    }
    if (c.fd >= 0 && (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) != 0) receive(c);
  }

  /// One read per readiness, as wrk does: a response of the comparison fits in one.
  void receive(Connection& c) {
    char buffer[16384];
    const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return fail(c, stats_.read);
    c.in.append(buffer, static_cast<std::size_t>(n));
    Reply reply;
    const Parsed parsed = loadbench::parse_reply(c.in, reply);
    if (parsed == Parsed::incomplete) return;
    if (parsed == Parsed::bad) return fail(c, stats_.read);
    complete(c, reply);
  }

  void complete(Connection& c, const Reply& reply) {
    if (c.counted) {
      const auto took = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.started);
      stats_.latency_us.push_back(static_cast<std::uint32_t>(took.count()));
      ++stats_.requests;
      ++stats_.statuses[reply.status];
      stats_.bytes += reply.size;
      if (reply.status > 399) ++stats_.status;
    }
    if (digest() && reply.status == 401 && !reply.digest.empty()) adopt(c, reply.digest);
    if (digest() && c.nonce.empty()) {
      std::fprintf(stderr, "digest_load: answered %d with no Digest SHA-256 challenge\n", reply.status);
      std::exit(2);
    }
    c.in.erase(0, reply.size);
    if (reply.close) {
      close(c);
      return open(c);
    }
    start_request(c);
  }

  /// A new challenge (the first one, or stale=true): its nonce, counted from nc=1, as a client would.
  void adopt(Connection& c, std::string_view challenge) {
    c.nonce = loadbench::param(challenge, "nonce");
    c.opaque = loadbench::param(challenge, "opaque");
    realm_ = loadbench::param(challenge, "realm");
    c.nc = 0;
    unsigned char random[8];
    RAND_bytes(random, sizeof random);
    c.cnonce = hex(random, sizeof random);
  }

  Clock::time_point sweep_timeouts() {
    const Clock::time_point now = Clock::now();
    for (auto& c : connections_) {
      if (c.fd < 0) {
        open(c);  // refused at once earlier: try again
      } else if (now - c.started > o_.timeout) {
        fail(c, stats_.timeout);
      }
    }
    return now;
  }

  Options o_;
  int epoll_;
  std::string ha2_, realm_;
  std::vector<Connection> connections_;
  Stats stats_;
  Clock::duration elapsed_{};
};

std::string percentiles(std::vector<std::uint32_t> v) {
  if (v.empty()) return R"({"p50":0,"p90":0,"p99":0,"max":0,"mean":"0.0"})";
  std::sort(v.begin(), v.end());
  const auto at = [&](double p) { return v[std::min(v.size() - 1, static_cast<std::size_t>(p * v.size()))]; };
  double sum = 0;
  for (const auto x : v) sum += x;
  char out[160];
  std::snprintf(out, sizeof out, R"({"p50":%u,"p90":%u,"p99":%u,"max":%u,"mean":"%.1f"})", at(0.50), at(0.90),
                at(0.99), v.back(), sum / static_cast<double>(v.size()));
  return out;
}

void report(const Stats& s, std::chrono::microseconds elapsed) {
  std::string statuses = "{";
  for (const auto& [code, n] : s.statuses) {
    statuses += (statuses.size() > 1 ? ",\"" : "\"") + std::to_string(code) + "\":" + std::to_string(n);
  }
  statuses += "}";
  std::printf(
      "WRK_RESULT {\"requests\":%llu,\"duration_us\":%lld,\"bytes\":%llu,\"errors\":{\"connect\":%llu,"
      "\"read\":%llu,\"write\":%llu,\"status\":%llu,\"timeout\":%llu},\"latency_us\":%s,\"statuses\":%s}\n",
      static_cast<unsigned long long>(s.requests), static_cast<long long>(elapsed.count()),
      static_cast<unsigned long long>(s.bytes), static_cast<unsigned long long>(s.connect),
      static_cast<unsigned long long>(s.read), static_cast<unsigned long long>(s.write),
      static_cast<unsigned long long>(s.status), static_cast<unsigned long long>(s.timeout),
      percentiles(s.latency_us).c_str(), statuses.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6 && argc != 8) {
    std::fprintf(stderr, "usage: digest_load PORT PATH CONNECTIONS SECONDS TIMEOUT_S [USER HA1]\n");
    return 2;
  }
  Options o;
  o.port = static_cast<std::uint16_t>(std::atoi(argv[1]));
  o.path = argv[2];
  o.connections = std::max(1, std::atoi(argv[3]));
  o.duration = std::chrono::microseconds(static_cast<long long>(std::atof(argv[4]) * 1e6));
  o.timeout = std::chrono::microseconds(static_cast<long long>(std::atof(argv[5]) * 1e6));
  if (argc == 8) {
    o.user = argv[6];
    o.ha1 = argv[7];
  }
  Load load(std::move(o));
  const Stats stats = load.run();
  report(stats, load.elapsed());
  return 0;
}
