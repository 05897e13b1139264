// The choice of the snapshot's StateStore (see compile_state.hpp).
#include "config/compile_state.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <filesystem>
#include <fstream>
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

/// The stores made so far, by an HMAC of (url, prefix, timeout, password, pool, TLS settings and the bytes
/// of their files): a password (in the url or from its file) or a private key is never a map key.
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

/// SHA-256 of the file's bytes (of nothing when unreadable: the store's own load then says why). The bytes
/// (a private key's among them) are wiped; only the digest joins the identity.
std::string file_digest(const std::string& path) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  std::string bytes(ec ? 0 : static_cast<std::size_t>(size), '\0');
  std::ifstream in(path, std::ios::binary);
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), static_cast<std::size_t>(in.gcount()), digest, &length, EVP_sha256(), nullptr);
  OPENSSL_cleanse(bytes.data(), bytes.size());
  return std::string(reinterpret_cast<const char*>(digest), length);
}

/// Appends the TLS settings and a digest of each of their files: certificates replaced on disk make a new
/// store at the next reload, which reads them (a store reads its files once, when made).
void append_tls(std::string& identity, const net::RedisTls& tls) {
  identity.append(tls.enabled ? "tls" : "plain").append(1, '\0').append(tls.server_name).append(1, '\0');
  for (const std::string* path : {&tls.ca_file, &tls.cert_file, &tls.key_file}) {
    identity.append(*path).append(1, '\0');
    if (!path->empty()) identity.append(file_digest(*path)).append(1, '\0');
  }
}

net::RedisTls tls_options(const RedisState& redis) {
  if (!redis.tls) return {};
  const RedisState::Tls& tls = *redis.tls;
  return net::RedisTls{true, tls.ca_file, tls.cert_file, tls.key_file, tls.server_name};
}

std::shared_ptr<stores::StateStore> redis_store(const Config& config, Problems& problems) {
  const RedisState& redis = *config.state.redis;
  net::RedisStateOptions options;
  options.url = redis.url;
  options.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(redis.timeout);
  options.key_prefix = redis.key_prefix;
  options.tls = tls_options(redis);
  options.pool = redis.pool;
  if (!redis.password_file.empty()) options.password = read_secret_file(redis.password_file);
  std::string identity = redis.url;
  identity.append(1, '\0').append(redis.key_prefix).append(1, '\0');
  identity.append(std::to_string(options.timeout.count())).append(1, '\0');
  identity.append(std::to_string(options.pool)).append(1, '\0');
  append_tls(identity, options.tls);
  identity.append(options.password);
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
      // A url that parsed but could not be used, or TLS files that could not be loaded.
      const char* at =
          redis.tls && made.error().starts_with("redis tls:") ? "state.redis.tls" : "state.redis.url";
      problems.push_back(Problem{Severity::error, position_of(config, at), "state.redis", made.error()});
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
