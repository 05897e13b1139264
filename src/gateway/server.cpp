#include "gateway/server.hpp"

#include <csignal>
#include <cstdio>
#include <thread>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "authgate/stores/verify_cache.hpp"
#include "config/secret_file.hpp"
#include "gateway/authn/authenticator.hpp"
#include "gateway/authn/worker_pool.hpp"
#include "gateway/conn/listeners.hpp"
#include "gateway/conn/session.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/keys/jwks_refresher.hpp"
#include "gateway/ops/access_log.hpp"
#include "gateway/ops/admin.hpp"
#include "gateway/ops/file_watch.hpp"
#include "gateway/ops/memory_trim.hpp"
#include "gateway/ops/metrics.hpp"
#include "gateway/ops/startup_report.hpp"
#include "http/spare_memory.hpp"
#include "net/redis_state_store.hpp"

namespace authgate::gateway {
namespace {

using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

/// The health of `snapshot`'s state store: in memory always up; Redis up while connected.
StateStoreHealth state_store_health(const config::Snapshot& snapshot) {
  const auto* redis = dynamic_cast<const net::RedisStateStore*>(snapshot.state.get());
  if (redis == nullptr) return {};
  const net::RedisStatus status = redis->status();
  if (status.state == net::RedisState::connected) return {true, "redis connected"};
  std::string detail = "redis " + std::string(net::to_string(status.state));
  if (!status.last_error.empty()) detail += ": " + status.last_error;  // RedisStatus: never a secret
  return {false, std::move(detail)};
}

/// How long a connection must have been idle or sending its head before it may be closed for room.
constexpr std::chrono::milliseconds evictable_after{1000};

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

unsigned or_cores(unsigned n) { return n != 0 ? n : std::max(1u, std::thread::hardware_concurrency()); }

asio::awaitable<void> sweep_idle_upstreams(IoThread& thread) {
  asio::steady_timer timer{thread.context};
  for (;;) {
    timer.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec) co_return;
    thread.pool.sweep();
    thread.trim_scratch();
    trim_spare_memory();  // this thread's spare request blocks left unused for the last second
  }
}

}  // namespace

class Server {
 public:
  Server(std::shared_ptr<const config::Snapshot> initial, ServerOptions options);
  int run();

 private:
  bool open_outputs();
  bool open_admin();
  void start_threads();
  asio::awaitable<void> accept_loop(ListenerSlot& slot);
  /// Waits until one more connection fits under max_connections, closing the longest-silent one for room
  /// when there is one. False when the server is stopping.
  asio::awaitable<bool> wait_for_room(ListenerSlot& slot);
  /// Admits `socket` (per-address limits) and runs its session on `thread`, or closes it.
  void start_session(ListenerSlot& slot, IoThread& thread, asio::ip::tcp::socket socket);
  asio::awaitable<void> handle_signals();
  asio::awaitable<void> watch_files();
  MemoryTrim memory_trim_;  // control thread only
  void begin_reload(const char* why);
  void apply_reload(config::SnapshotResult result);
  void begin_shutdown();
  asio::awaitable<void> drain();
  void stop_all();

  std::shared_ptr<const config::Snapshot> initial_;
  ServerOptions options_;
  asio::io_context control_{1};
  asio::signal_set signals_{control_, SIGINT, SIGTERM, SIGHUP};  // caught from construction on
  std::shared_ptr<Metrics> metrics_;
  std::unique_ptr<AccessLog> access_log_;
  std::unique_ptr<stores::VerifyCache> cache_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Authenticator> authenticator_;
  std::unique_ptr<GatewayState> state_;
  std::vector<std::unique_ptr<IoThread>> threads_;
  std::vector<std::thread> runners_;
  std::vector<std::unique_ptr<ListenerSlot>> listeners_;
  std::unique_ptr<AdminServer> admin_;
  std::unique_ptr<JwksRefresher> refresher_;  // remote key sets, refreshed on control_
  FileWatch watch_;
  std::thread reload_thread_;
  std::atomic<bool> ready_{false};
  std::size_t next_thread_ = 0;
  bool stopping_ = false;
  bool reloading_ = false;
  bool reload_again_ = false;
};

Server::Server(std::shared_ptr<const config::Snapshot> initial, ServerOptions options)
    : initial_(std::move(initial)), options_(std::move(options)) {
  const auto& server = initial_->config.server;
  metrics_ = std::make_shared<Metrics>(options_.version);
  metrics_->set_config_generation(initial_->generation);
  metrics_->set_last_reload_success(unix_now());
  cache_ =
      std::make_unique<stores::VerifyCache>(stores::VerifyCache::Options{initial_->config.cache.max_entries});
  pool_ = std::make_unique<WorkerPool>(WorkerPool::Options{.threads = or_cores(server.worker_threads),
                                                           .max_pending = server.max_pending_hashes,
                                                           .max_wait = initial_->config.limits.max_hash_wait,
                                                           .metrics = metrics_.get()});
  authenticator_ = std::make_unique<Authenticator>(*pool_, *cache_, initial_->config.cache.ttl);
  state_ = std::make_unique<GatewayState>(initial_, *authenticator_);
  state_->metrics = metrics_.get();
  for (unsigned i = 0; i < or_cores(server.io_threads); ++i) threads_.push_back(std::make_unique<IoThread>());
  refresher_ = std::make_unique<JwksRefresher>(control_.get_executor(), metrics_.get());
  watch_.reset(initial_->watched_files);
}

bool Server::open_outputs() {
  const auto& log = initial_->config.access_log;
  if (!log.enabled) return true;
  std::error_code error;
  access_log_ = AccessLog::open(AccessLogOptions{log.path}, error);
  if (!access_log_) {
    spdlog::error("cannot open the access log {}: {}", log.path, error.message());
    return false;
  }
  state_->access_log = access_log_.get();
  return true;
}

bool Server::open_admin() {
  const auto& admin = initial_->config.admin;
  if (!admin) return true;
  auto endpoint = endpoint_of(admin->address, admin->port);
  if (!endpoint) {
    spdlog::error("admin: {}", endpoint.error());
    return false;
  }
  std::error_code error;
  AdminContext context{metrics_,
                       [this] { return ready_.load(); },
                       {},
                       [this] {
                         auto health = state_store_health(*state_->snapshots.current());
                         metrics_->set_state_store_up(health.up);
                         return health;
                       },
                       [this] { return state_->snapshots.current()->state; },
                       [this] {
                         // Read at each revocation: a rotated token file takes effect without a reload.
                         const auto snapshot = state_->snapshots.current();
                         const auto& admin_config = snapshot->config.admin;
                         if (!admin_config || admin_config->revoke_token_file.empty()) return std::string();
                         auto token = config::detail::read_secret_file(admin_config->revoke_token_file);
                         // An unreadable file must not open revocations to loopback: nobody may revoke.
                         return token.empty() ? std::string(1, '\0') : token;
                       }};
  admin_ = AdminServer::open(control_.get_executor(), *endpoint, std::move(context), error);
  if (!admin_) {
    spdlog::error("admin: cannot listen on {}:{}: {}", admin->address, admin->port, error.message());
    return false;
  }
  return true;
}

void Server::start_threads() {
  for (auto& thread : threads_) {
    asio::co_spawn(thread->context, sweep_idle_upstreams(*thread), asio::detached);
    runners_.emplace_back([context = &thread->context] {
      auto guard = asio::make_work_guard(*context);
      context->run();
    });
  }
}

int Server::run() {
  if (!open_outputs() || !open_listeners(control_, initial_->config.listeners, listeners_) || !open_admin()) {
    return 1;
  }
  report_startup(*initial_);
  metrics_->set_certificate_expiry(certificate_expiry(listeners_));
  refresher_->apply(*initial_);  // first fetches start with control_; remote realms answer 503 until then
  start_threads();
  std::vector<BoundListener> bound;
  // A closed connection wakes the accept loops waiting at max_connections (on control_, where they run).
  state_->connection_table.on_room([this] {
    asio::post(control_, [this] {
      for (auto& slot : listeners_) slot->room.cancel();
    });
  });
  for (auto& slot : listeners_) {
    const auto local = slot->acceptor.local_endpoint();
    bound.push_back({slot->config.name, format_address(local.address()), local.port(), slot->tls != nullptr});
    asio::co_spawn(control_, accept_loop(*slot), asio::detached);
  }
  asio::co_spawn(control_, handle_signals(), asio::detached);
  asio::co_spawn(control_, watch_files(), asio::detached);
  for (const auto& listener : bound) {
    std::fprintf(stderr, "authgate: listening on %s:%u (%s)\n", listener.address.c_str(), listener.port,
                 listener.name.c_str());
  }
  if (admin_) {
    const auto local = admin_->local_endpoint();
    std::fprintf(stderr, "authgate: admin on %s:%u (/metrics, /healthz, /readyz, /revocations)\n",
                 format_address(local.address()).c_str(), local.port());
  }
  std::fflush(stderr);
  ready_ = true;
  if (options_.on_ready) options_.on_ready(bound);
  control_.run();
  for (auto& runner : runners_) runner.join();
  if (reload_thread_.joinable()) reload_thread_.join();
  pool_.reset();  // finishes queued hashes; their answers go to the stopped I/O contexts
  threads_.clear();
  admin_.reset();
  if (access_log_) access_log_->flush();
  spdlog::info("stopped");
  return 0;
}

asio::awaitable<void> Server::accept_loop(ListenerSlot& slot) {
  asio::steady_timer backoff{control_};
  boost::system::error_code ec;
  slot.acceptor.non_blocking(true, ec);
  while (!stopping_) {
    // Readiness first, then accept: a connection leaves the listen backlog only when there is room for
    // it, so the sockets open never exceed max_connections, not even for a refused one's moment.
    auto [wait_ec] = co_await slot.acceptor.async_wait(tcp::acceptor::wait_read, use_tuple);
    if (stopping_ || wait_ec == asio::error::operation_aborted) co_return;
    for (int taken = 0; taken < 64; ++taken) {  // then back to the reactor: other listeners get a turn
      if (!co_await wait_for_room(slot)) co_return;
      auto& thread = *threads_[next_thread_ % threads_.size()];
      tcp::socket socket = slot.acceptor.accept(asio::any_io_executor{thread.context.get_executor()}, ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) break;
      if (ec) {
        // Out of file descriptors or similar: pause instead of spinning on the error.
        spdlog::warn("listener {}: accept failed: {}", slot.config.name, ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(use_tuple);
        break;
      }
      ++next_thread_;
      start_session(slot, thread, std::move(socket));
    }
  }
}

asio::awaitable<bool> Server::wait_for_room(ListenerSlot& slot) {
  auto& table = state_->connection_table;
  bool counted = false;
  while (!stopping_) {
    const auto max_connections = state_->snapshots.current()->config.limits.max_connections;
    table.want_room();  // before the check: a slot freed after it wakes the wait below
    if (table.has_room(max_connections)) co_return true;
    if (!table.make_room(evictable_after) && !counted) {
      metrics_->accept_paused();  // every connection is busy: new ones wait in the listen backlog
      counted = true;
    }
    slot.room.expires_after(std::chrono::milliseconds(50));  // a missed wake costs at most this
    co_await slot.room.async_wait(use_tuple);
  }
  co_return false;
}

void Server::start_session(ListenerSlot& slot, IoThread& thread, tcp::socket socket) {
  boost::system::error_code ec;
  const auto remote = socket.remote_endpoint(ec);
  if (ec) return;  // already gone
  const auto snapshot = state_->snapshots.current();
  const auto& limits = snapshot->config.limits;
  const auto* proxies = snapshot->trusted_proxies_of(slot.config.name);
  ConnectionTable::Ticket ticket;
  const auto refusal = state_->connection_table.admit(
      remote.address(), proxies != nullptr && proxies->contains(remote.address()),
      {limits.max_connections, limits.max_connections_per_address, limits.max_pending_heads_per_address},
      ticket);
  if (refusal != ConnectionRefusal::none) {
    metrics_->connection_refused(refusal);
    socket.close(ec);  // refused at once rather than queued: other addresses are served
    return;
  }
  socket.set_option(tcp::no_delay{true}, ec);
  SessionInfo info{slot.config.name,
                   remote.address().to_string(),
                   remote.port(),
                   slot.tls,
                   slot.config.forward_proxy ? policy::Side::proxy : policy::Side::origin,
                   slot.config.forward_auth.has_value()};
  // Built and spawned on the connection's own thread, so the session's memory comes from that thread's
  // allocator arena and not from the control thread's, where Asio's long-lived per-socket records are
  // made: mixed in one arena, those few bytes would pin the pages a burst's sessions freed.
  // The Stream is built there and the session spawned directly: a wrapper coroutine choosing TLS or
  // not would stay suspended for the connection's whole life (672 bytes per idle connection).
  asio::post(thread.context, [socket = std::move(socket), tls = slot.tls, &state = *state_, &thread,
                              info = std::move(info), ticket = std::move(ticket)]() mutable {
    Stream stream = tls ? Stream{std::move(socket), *tls} : Stream{std::move(socket)};
    asio::co_spawn(thread.context,
                   run_session(std::move(stream), state, thread, std::move(info), std::move(ticket)),
                   asio::detached);
  });
}

asio::awaitable<void> Server::handle_signals() {
  for (;;) {
    auto [ec, number] = co_await signals_.async_wait(use_tuple);
    if (ec) co_return;
    if (number == SIGHUP) {
      // logrotate's postrotate: a failed reopen keeps writing to the old file, which must not go unnoticed.
      if (access_log_) {
        if (const auto error = access_log_->reopen()) {
          spdlog::error("access log: reopening {} failed ({}); still writing to the old file",
                        access_log_->path(), error.message());
        }
      }
      begin_reload("SIGHUP");
    } else if (stopping_) {
      spdlog::warn("second signal: stopping now");
      stop_all();
      co_return;
    } else {
      begin_shutdown();
    }
  }
}

asio::awaitable<void> Server::watch_files() {
  asio::steady_timer timer{control_};
  while (!stopping_) {
    timer.expires_after(std::chrono::seconds(1));
    auto [ec] = co_await timer.async_wait(use_tuple);
    if (ec || stopping_) co_return;
    metrics_->set_worker_queue_depth(pool_->pending());
    metrics_->set_connections_evicted(state_->connection_table.evicted());
    memory_trim_.tick(state_->connection_table.open(), state_->connection_table.admitted());
    if (access_log_) metrics_->set_access_log_dropped(access_log_->dropped_lines());
    if (options_.reload && watch_.changed()) begin_reload("a watched file changed");
  }
}

void Server::begin_reload(const char* why) {
  if (!options_.reload || stopping_) return;
  if (reloading_) {
    reload_again_ = true;
    return;
  }
  reloading_ = true;
  spdlog::info("reloading ({})", why);
  if (reload_thread_.joinable()) reload_thread_.join();
  const auto generation = state_->snapshots.current()->generation + 1;
  // Loading hashes dummy passwords and reads files: off the control thread, which accepts connections.
  reload_thread_ = std::thread([this, generation] {
    auto result = options_.reload(generation);
    asio::post(control_, [this, result = std::move(result)]() mutable { apply_reload(std::move(result)); });
  });
}

void Server::apply_reload(config::SnapshotResult result) {
  reloading_ = false;
  if (!result) {
    for (const auto& problem : result.error()) spdlog::error("{}", problem.to_string());
    spdlog::error("reload failed: still serving generation {}", state_->snapshots.current()->generation);
    metrics_->count_config_reload(false);
  } else if (auto next = *result; install_tls_contexts(listeners_, *next)) {
    refresher_->apply(*next);  // before serving it: unchanged remote realms keep their keys
    state_->snapshots.replace(next);
    watch_.reset(next->watched_files);
    metrics_->set_config_generation(next->generation);
    metrics_->count_config_reload(true);
    metrics_->set_last_reload_success(unix_now());
    metrics_->set_certificate_expiry(certificate_expiry(listeners_));
    report_reload(*initial_, *next);
  } else {
    metrics_->count_config_reload(false);
  }
  if (reload_again_) {
    reload_again_ = false;
    begin_reload("changed again while reloading");
  }
}

void Server::begin_shutdown() {
  stopping_ = true;
  refresher_->stop();
  state_->draining = true;
  spdlog::info("shutting down: {} connection(s) open, grace {} ms", state_->connections.load(),
               state_->snapshots.current()->config.server.shutdown_grace.count());
  boost::system::error_code ignored;
  for (auto& slot : listeners_) {
    slot->acceptor.close(ignored);
    slot->room.cancel();
  }
  for (auto& thread : threads_) asio::post(thread->context, [t = thread.get()] { close_idle_sessions(*t); });
  asio::co_spawn(control_, drain(), asio::detached);
}

asio::awaitable<void> Server::drain() {
  const auto deadline =
      std::chrono::steady_clock::now() + state_->snapshots.current()->config.server.shutdown_grace;
  asio::steady_timer timer{control_};
  while (state_->connections.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(use_tuple);
    // A connection that finished its request meanwhile may be waiting again: close it too.
    for (auto& thread : threads_)
      asio::post(thread->context, [t = thread.get()] { close_idle_sessions(*t); });
  }
  if (state_->connections.load() > 0) {
    spdlog::warn("shutdown grace expired: closing {} connection(s)", state_->connections.load());
  }
  stop_all();
}

void Server::stop_all() {
  refresher_->stop();
  if (admin_) admin_->stop();
  for (auto& thread : threads_) thread->context.stop();
  control_.stop();
}

int run_server(std::shared_ptr<const config::Snapshot> initial, ServerOptions options) {
  std::signal(SIGPIPE, SIG_IGN);  // a closed access-log pipe must not kill the gateway
  Server server{std::move(initial), std::move(options)};
  return server.run();
}

void log_to_stderr() {
  if (spdlog::get("authgate")) return;
  auto logger = spdlog::stderr_color_mt("authgate");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
}

}  // namespace authgate::gateway
