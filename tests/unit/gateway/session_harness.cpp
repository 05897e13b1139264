#include "session_harness.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <future>
#include <stdexcept>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "authgate/stores/password_hash.hpp"
#include "gateway/conn/session.hpp"

namespace authgate::gateway::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

UserFiles::UserFiles() {
  std::string pattern = (std::filesystem::temp_directory_path() / "authgate-session-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  std::ofstream{htpasswd()} << "alice:" << *stores::hash_bcrypt("wonderland", 4) << "\n"
                            << "bob:" << *stores::hash_bcrypt("builder", 4) << "\n";
  std::ofstream{groups()} << "admins: alice\n";
}

UserFiles::~UserFiles() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

namespace {

config::Upstream upstream(const char* name, std::uint16_t port) {
  config::Upstream u;
  u.name = name;
  u.url = "http://127.0.0.1:" + std::to_string(port);
  return u;
}

config::Route route(const char* name, const char* path, const char* upstream_name, bool anonymous) {
  config::Route r;
  r.name = name;
  r.match.path = path;
  r.upstream = upstream_name;
  r.anonymous = anonymous;
  if (!anonymous) r.realms = {"staff"};
  return r;
}

}  // namespace

config::Config test_config(const UserFiles& files, std::uint16_t echo_port, std::uint16_t dead_port,
                           std::uint16_t silent_port) {
  config::Config c;
  c.listeners.push_back(
      config::Listener{"test", "127.0.0.1", 1, std::nullopt, std::nullopt, std::nullopt, {}, {}});
  c.upstreams = {upstream("echo", echo_port), upstream("down", dead_port), upstream("slow", silent_port)};
  c.upstreams[2].response_timeout = std::chrono::milliseconds(300);
  c.stores.push_back(config::Store{"users", "htpasswd", files.htpasswd(), files.groups(), {}});
  c.realms.push_back(config::Realm{"staff", "basic", "staff area", "users", false, {}, {}, {}});
  auto admin = route("admin", "/admin", "echo", false);
  admin.groups = {"admins"};
  auto limited = route("limited", "/limited", "echo", true);
  limited.max_body_bytes = 10;
  c.routes = {
      route("public", "/public", "echo", true), route("private", "/private", "echo", false), admin, limited,
      route("down", "/down", "down", true),     route("slow", "/slow", "slow", true)};
  c.access_log.enabled = false;
  return c;
}

namespace {

asio::awaitable<void> accept_sessions(tcp::acceptor& acceptor, GatewayState& state, IoThread& thread) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay{true}, ignored);  // as the server's accept loop does
    const auto remote = socket.remote_endpoint();
    asio::co_spawn(thread.context,
                   run_session(Stream{std::move(socket)}, state, thread,
                               SessionInfo{"test", remote.address().to_string(), remote.port(), nullptr}),
                   asio::detached);
  }
}

std::uint16_t refused_port() {
  asio::io_context context;
  tcp::acceptor acceptor{context, tcp::endpoint{asio::ip::make_address("127.0.0.1"), 0}};
  return acceptor.local_endpoint().port();  // closed again when `acceptor` goes: connecting is refused
}

}  // namespace

TestGateway::TestGateway(std::function<void(config::Config&)> tweak) {
  echo_ = app::EchoUpstream::start();
  const tcp::endpoint loopback{asio::ip::make_address("127.0.0.1"), 0};
  silent_.open(loopback.protocol());
  silent_.bind(loopback);
  silent_.listen();
  auto config = test_config(files_, echo_->port(), refused_port(), silent_.local_endpoint().port());
  if (tweak) tweak(config);
  auto snapshot = config::compile(std::move(config), 1);
  if (!snapshot) {
    std::string all;
    for (const auto& problem : snapshot.error()) all += problem.to_string() + "\n";
    throw std::runtime_error("test config refused:\n" + all);
  }
  pool_ = std::make_unique<WorkerPool>(WorkerPool::Options{
      .threads = 2, .max_pending = 64, .max_wait = (*snapshot)->config.limits.max_hash_wait});
  auth_ = std::make_unique<Authenticator>(*pool_, cache_, std::chrono::minutes(5));
  state_ = std::make_unique<GatewayState>(*snapshot, *auth_);
  state_->observer = [this](const RequestRecord& r) {
    if (!recording_) return;
    std::lock_guard lock{records_mutex_};
    records_.push_back({r.status, r.reason, r.method, r.path, std::string{r.route}, r.user,
                        std::string{r.scheme}, r.cache_hit, r.bytes_in});
    records_changed_.notify_all();
  };
  thread_ = std::make_unique<IoThread>();
  acceptor_ = std::make_unique<tcp::acceptor>(thread_->context, loopback);
  port_ = acceptor_->local_endpoint().port();
  asio::co_spawn(thread_->context, accept_sessions(*acceptor_, *state_, *thread_), asio::detached);
  runner_ = std::thread([context = &thread_->context] {
    auto guard = asio::make_work_guard(*context);
    context->run();
  });
}

TestGateway::~TestGateway() {
  thread_->context.stop();
  runner_.join();
  acceptor_.reset();
  pool_.reset();
  thread_.reset();
}

void TestGateway::run_on_io_thread(const std::function<void()>& task) {
  std::promise<void> done;
  asio::post(thread_->context, [&] {
    task();
    done.set_value();
  });
  done.get_future().wait();
}

std::vector<SeenRecord> TestGateway::records(std::size_t expected) const {
  std::unique_lock lock{records_mutex_};
  records_changed_.wait_for(lock, std::chrono::seconds(5), [&] { return records_.size() >= expected; });
  return records_;
}

Client::Client(std::uint16_t port) {
  socket_.connect(tcp::endpoint{asio::ip::make_address("127.0.0.1"), port});
  const timeval timeout{5, 0};
  ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
}

void Client::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const auto n = ::send(socket_.native_handle(), bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;  // the server closed: the test looks at what it answered
    sent += static_cast<std::size_t>(n);
  }
}

namespace {

// recv(2) with the socket's SO_RCVTIMEO: >0 bytes, 0 at EOF, -1 on timeout or error.
long receive(int fd, char* data, std::size_t size) { return ::recv(fd, data, size, 0); }

}  // namespace

std::string Client::read_response(bool head_request) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);
  parser.body_limit(boost::none);
  if (head_request) parser.skip(true);
  std::size_t used = 0;
  for (;;) {
    while (used < pending_.size() && !parser.is_done()) {
      boost::system::error_code ec;
      const auto n = parser.put(asio::buffer(pending_.data() + used, pending_.size() - used), ec);
      used += n;
      if (ec == http::error::need_more) break;
      if (ec) return "";
      if (n == 0) break;
    }
    if (parser.is_done()) {
      auto raw = pending_.substr(0, used);
      pending_.erase(0, used);
      return raw;
    }
    char buffer[65536];
    const auto n = receive(socket_.native_handle(), buffer, sizeof buffer);
    if (n <= 0) {
      boost::system::error_code ec;
      if (n == 0 && parser.is_header_done()) parser.put_eof(ec);
      if (parser.is_done()) return pending_.substr(0, used) + std::string(pending_.substr(used));
      return "";
    }
    pending_.append(buffer, static_cast<std::size_t>(n));
  }
}

std::string Client::read_to_close(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::string out = std::move(pending_);
  pending_.clear();
  char buffer[65536];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto n = receive(socket_.native_handle(), buffer, sizeof buffer);
    if (n <= 0) break;
    out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

bool Client::closed_within(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  char buffer[4096];
  while (std::chrono::steady_clock::now() < deadline) {
    const auto n = receive(socket_.native_handle(), buffer, sizeof buffer);
    if (n == 0) return true;
    if (n < 0) return errno == ECONNRESET;
  }
  return false;
}

int status_of(const std::string& response) {
  if (response.size() < 12 || response.compare(0, 5, "HTTP/") != 0) return 0;
  return std::atoi(response.c_str() + 9);
}

std::string field_of(const std::string& response, std::string_view name) {
  const auto end = response.find("\r\n\r\n");
  std::size_t pos = response.find("\r\n");
  while (pos != std::string::npos && pos < end) {
    const auto next = response.find("\r\n", pos + 2);
    const auto line = std::string_view{response}.substr(pos + 2, next - pos - 2);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos && boost::beast::iequals(line.substr(0, colon), name)) {
      auto value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string{value};
    }
    pos = next;
  }
  return "";
}

std::string body_of(const std::string& response) {
  const auto end = response.find("\r\n\r\n");
  return end == std::string::npos ? "" : response.substr(end + 4);
}

}  // namespace authgate::gateway::testing
