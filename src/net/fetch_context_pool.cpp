// async_fetch's idle connections, parked in the io_context they were opened on (see
// net/fetch_context_pool.hpp).
#include "net/fetch_context_pool.hpp"

#include <algorithm>
#include <atomic>

namespace authgate::net::detail {
namespace {

namespace asio = boost::asio;

std::uint64_t next_client_id() noexcept {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}

}  // namespace

std::unique_ptr<ParkedLink> ContextLinks::take(std::uint64_t client, const std::string& origin,
                                               std::chrono::milliseconds idle_timeout) {
  IdleLinks<ParkedLink>::Dropped dropped;  // closed outside the lock: this io_context is running
  const std::lock_guard lock(mutex_);
  if (!open_) return nullptr;
  const auto it = by_client_.find(client);
  if (it == by_client_.end()) return nullptr;
  return it->second.take(origin, idle_timeout, dropped);
}

void ContextLinks::park(std::uint64_t client, std::unique_ptr<ParkedLink> link,
                        const ConnectionReuse& reuse) {
  IdleLinks<ParkedLink>::Dropped dropped;  // declared first: destroyed after the lock is released
  const std::lock_guard lock(mutex_);
  if (!open_) {
    dropped.push_back(std::move(link));
    return;
  }
  by_client_[client].park(std::move(link), reuse, dropped);
}

void ContextLinks::close_client(std::uint64_t client) noexcept {
  // Closed under the lock: shut_down() waits for it, so the io_context's socket and timer services
  // outlive every socket closed here, even when the io_context is being destroyed on another thread.
  const std::lock_guard lock(mutex_);
  by_client_.erase(client);
}

void ContextLinks::shut_down() noexcept {
  std::unordered_map<std::uint64_t, IdleLinks<ParkedLink>> closing;  // destroyed after the lock
  const std::lock_guard lock(mutex_);
  open_ = false;
  closing.swap(by_client_);
}

bool ContextLinks::is_open() const {
  const std::lock_guard lock(mutex_);
  return open_;
}

std::size_t ContextLinks::idle_count(std::uint64_t client) const {
  const std::lock_guard lock(mutex_);
  const auto it = by_client_.find(client);
  return it == by_client_.end() ? 0 : it->second.size();
}

std::size_t ContextLinks::idle_count() const {
  const std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [client, links] : by_client_) n += links.size();
  return n;
}

asio::execution_context::id ContextLinksService::id;  // NOLINT(cert-err58-cpp): an empty constructor

ContextLinksService::ContextLinksService(asio::execution_context& owner)
    : asio::execution_context::service(owner), links_(std::make_shared<ContextLinks>()) {}

void ContextLinksService::shutdown() { links_->shut_down(); }

ContextFetchPool::ContextFetchPool(ConnectionReuse reuse) : id_(next_client_id()), reuse_(reuse) {}

ContextFetchPool::~ContextFetchPool() {
  for (const auto& links : contexts_) links->close_client(id_);
}

std::unique_ptr<ParkedLink> ContextFetchPool::take(asio::execution_context& context,
                                                   const std::string& origin) {
  // has_service first: the service must not be registered before a connection exists (see give_back).
  if (!keep_alive() || !asio::has_service<ContextLinksService>(context)) return nullptr;
  return asio::use_service<ContextLinksService>(context).links()->take(id_, origin, reuse_.idle_timeout);
}

void ContextFetchPool::give_back(asio::execution_context& context, std::unique_ptr<ParkedLink> link) {
  if (!keep_alive() || !link->link.reusable || !link->link.is_open()) return;  // destroyed: closed
  // Registered here, once a connection exists, so the service is newer than the socket and timer services
  // that connection uses: Asio shuts services down newest first, so it closes the connection while those
  // still work.
  const auto& links = asio::use_service<ContextLinksService>(context).links();
  remember(links);
  links->park(id_, std::move(link), reuse_);
}

void ContextFetchPool::remember(const std::shared_ptr<ContextLinks>& links) {
  const std::lock_guard lock(mutex_);
  if (std::find(contexts_.begin(), contexts_.end(), links) != contexts_.end()) return;
  std::erase_if(contexts_, [](const auto& other) { return !other->is_open(); });
  contexts_.push_back(links);
}

std::size_t ContextFetchPool::idle_count() const {
  const std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& links : contexts_) n += links->idle_count(id_);
  return n;
}

}  // namespace authgate::net::detail
