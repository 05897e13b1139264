// The choice of the snapshot's StateStore (see compile_state.hpp).
#include "config/compile_state.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "config/compile_digest.hpp"
#include "config/secret_file.hpp"
#include "net/redis_state_store.hpp"

namespace authgate::config::detail {
namespace {

namespace asio = boost::asio;

/// One Redis store with the io_context and the one thread it runs on. Never an I/O thread: Digest's
/// synchronous authenticate() waits on the store (net/redis_state_store.hpp).
class RedisHost {
 public:
  explicit RedisHost(std::shared_ptr<net::RedisStateStore> store, std::unique_ptr<asio::io_context> io)
      : io_(std::move(io)), guard_(asio::make_work_guard(*io_)), store_(std::move(store)) {
    thread_ = std::thread([io = io_.get()] { io->run(); });
  }
  RedisHost(const RedisHost&) = delete;
  RedisHost& operator=(const RedisHost&) = delete;
  /// At exit: pending callbacks complete with `unavailable` on the still running thread, then it ends.
  ~RedisHost() {
    store_->shutdown();
    guard_.reset();
    if (thread_.joinable()) thread_.join();
  }

  const std::shared_ptr<net::RedisStateStore>& store() const noexcept { return store_; }

 private:
  std::unique_ptr<asio::io_context> io_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::shared_ptr<net::RedisStateStore> store_;
  std::thread thread_;
};

/// The stores made so far, by an HMAC of (url, prefix, timeout, password): a password (in the url or from
/// its file) is never a map key.
struct RedisHosts {
  std::mutex mutex;
  std::map<std::string, std::unique_ptr<RedisHost>> hosts;  // guarded by mutex
};

RedisHosts& redis_hosts() {
  // Destroyed at exit, before the statics made earlier (spdlog's): every store shut down, its thread joined.
  static RedisHosts hosts;
  return hosts;
}

std::string keyed_tag(const std::string& text) {
  static const std::string key = [] {
    std::string bytes(32, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), static_cast<int>(bytes.size())) != 1) {
      throw std::runtime_error("state: no randomness");
    }
    return bytes;
  }();
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &length);
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::shared_ptr<stores::StateStore> redis_store(const Config& config, Problems& problems) {
  const RedisState& redis = *config.state.redis;
  net::RedisStateOptions options;
  options.url = redis.url;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(redis.timeout);
  options.key_prefix = redis.key_prefix;
  if (!redis.password_file.empty()) options.password = read_secret_file(redis.password_file);
  std::string identity = redis.url;
  identity.append(1, '\0').append(redis.key_prefix).append(1, '\0');
  identity.append(std::to_string(options.timeout.count())).append(1, '\0').append(options.password);
  const std::string key = keyed_tag(identity);
  OPENSSL_cleanse(identity.data(), identity.size());

  auto& registry = redis_hosts();
  const std::lock_guard lock(registry.mutex);
  auto it = registry.hosts.find(key);
  if (it != registry.hosts.end()) {
    OPENSSL_cleanse(options.password.data(), options.password.size());  // the store has its own copy
  } else {
    auto io = std::make_unique<asio::io_context>(1);
    auto made = net::make_redis_state_store(io->get_executor(), std::move(options));
    if (!made) {
      problems.push_back(
          Problem{Severity::error, position_of(config, "state.redis.url"), "state.redis", made.error()});
      return nullptr;
    }
    it = registry.hosts.emplace(key, std::make_unique<RedisHost>(std::move(*made), std::move(io))).first;
  }
  return it->second->store();
}

}  // namespace

std::shared_ptr<stores::StateStore> state_store_for(const Config& config, StateConnection connection,
                                                    Problems& problems) {
  // Offline (`authgate check`): the section was validated; the snapshot is never served, so memory will do.
  if (!config.state.redis || connection == StateConnection::offline) return process_state_store();
  return redis_store(config, problems);
}

}  // namespace authgate::config::detail
