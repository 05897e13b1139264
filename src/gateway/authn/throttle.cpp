#include "gateway/authn/throttle.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/stores/memory_state_store.hpp"
#include "gateway/authn/ban_memo.hpp"
#include "gateway/authn/client_network.hpp"

namespace authgate::gateway {
namespace {

namespace asio = boost::asio;
using TimePoint = std::chrono::system_clock::time_point;

using stores::FailureWindow;
using stores::StateResult;

constexpr std::size_t key_digest_bytes = 16;  // of SHA-256: collisions stay out of reach, keys stay short

/// `kind` + the first bytes of SHA-256(content): a bounded key whatever the user sent.
std::string store_key(char kind, std::string_view content) {
  // Fetched once: SHA256() looks the algorithm up by name on every call (OpenSSL 3), a third of the cost.
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  unsigned char digest[EVP_MAX_MD_SIZE];
  if (sha256 == nullptr ||
      EVP_Digest(content.data(), content.size(), digest, nullptr, sha256, nullptr) != 1) {
    throw std::runtime_error("throttle: SHA-256 is not available");
  }
  std::string key(1, kind);
  key.append(reinterpret_cast<const char*>(digest), key_digest_bytes);
  return key;
}

// The failure and ban keys of one subject key: two windows in the store's failure space.
std::string failure_key(const std::string& key) { return "f" + key; }
std::string ban_key(const std::string& key) { return "b" + key; }

const Scheme* scheme_for(const config::CompiledRoute& route, std::string_view name) {
  const auto it = std::find_if(
      route.realms.begin(), route.realms.end(),
      [&](const config::CompiledRealm* realm) { return grammar::iequals(realm->scheme->name(), name); });
  return it != route.realms.end() ? (*it)->scheme.get() : nullptr;
}

std::string_view realm_of(const config::CompiledRoute& route, std::string_view scheme) {
  for (const auto* realm : route.realms) {
    if (grammar::iequals(realm->scheme->name(), scheme)) return realm->name;
  }
  return {};
}

/// The failure window of `key`, when the store answers without waiting; nullopt otherwise.
std::optional<FailureWindow> window_now(stores::StateStore& store, const std::string& key) {
  std::optional<FailureWindow> found;
  if (!store.completes_inline()) return found;
  store.failures(key, [&found](StateResult<FailureWindow> result) {
    if (result) found = *result;
  });
  return found;
}

/// Makes `ban` the longer of itself and the ban `window` holds for the key named `by`.
void consider(std::optional<Ban>& ban, const FailureWindow& window, std::string_view by, TimePoint now) {
  if (window.count == 0) return;
  const auto left = std::chrono::ceil<std::chrono::seconds>(window.resets_at - now);
  const auto retry_after = std::max(left, std::chrono::seconds{1});
  if (!ban || retry_after > ban->outcome.retry_after) ban = Ban{Throttled{retry_after}, by};
}

/// Why fail open: with its store down a throttle could only ban everyone or no one, and banning everyone
/// hands an attacker a switch that locks every user out. Logged at most once per interval, not per request.
void log_fail_open(const stores::StateError& error) {
  constexpr std::int64_t interval_ms = 10'000;
  static std::atomic<std::int64_t> last_ms{INT64_MIN / 2};
  const std::int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now().time_since_epoch())
                                  .count();
  std::int64_t previous = last_ms.load(std::memory_order_relaxed);
  if (now_ms - previous < interval_ms) return;
  if (!last_ms.compare_exchange_strong(previous, now_ms, std::memory_order_relaxed)) return;
  spdlog::warn("throttle: the state store failed ({}: {}); throttling fails open until it answers again",
               stores::to_string(error.code), error.detail);
}

/// Where failures are counted while the shared store fails (Redis down): this process's memory, so a
/// guesser is still slowed by each instance on its own (fail open, but not wide open).
stores::StateStore& local_fallback() {
  static const auto store = stores::make_memory_state_store(std::make_shared<SystemClock>(),
                                                            stores::MemoryStateLimits{20'000, 16, 512});
  return *store;
}

/// The ban checks of one request in flight: the last answer resumes the request on its executor.
class PendingBan {
 public:
  using Handler = asio::any_completion_handler<void(std::optional<Ban>)>;
  PendingBan(std::vector<std::string> keys, TimePoint now, Handler handler, asio::any_io_executor executor)
      : keys_(std::move(keys)),
        left_(keys_.size()),
        now_(now),
        handler_(std::move(handler)),
        executor_(std::move(executor)) {}

  void answer(std::string_view by, const std::string& key, const StateResult<FailureWindow>& result) {
    // The shared store failed: the bans this process counted meanwhile (local_fallback) still hold.
    const auto local = result ? std::nullopt : window_now(local_fallback(), key);
    {
      const std::lock_guard lock(mutex_);
      if (result) {
        consider(ban_, *result, by, now_);
      } else {
        log_fail_open(result.error());
        failed_ = true;
        if (local) consider(ban_, *local, by, now_);
      }
      if (--left_ != 0) return;
    }
    if (!ban_ && !failed_) {
      const auto checked = std::chrono::steady_clock::now();
      for (const auto& checked_key : keys_) remember_unbanned(checked_key, checked);
    }
    asio::post(executor_, [handler = std::move(handler_), ban = ban_]() mutable { std::move(handler)(ban); });
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> keys_;  // the ban keys asked
  std::size_t left_;               // guarded by mutex_
  TimePoint now_;
  bool failed_ = false;     // guarded by mutex_: an answer was an error (nothing to remember)
  std::optional<Ban> ban_;  // guarded by mutex_
  Handler handler_;         // moved out by the last answer
  asio::any_io_executor executor_;
};

/// Adds a failure for `key` and bans it for `limit.ban` once it reaches `limit.max_failures`. The callback
/// holds `store` by reference: every store lives as long as the process (config/compile_state.hpp), and
/// the limit is copied (a reload may free the snapshot it came from before a Redis answer arrives).
void add_failure(stores::StateStore& store, const std::string& key, const config::ThrottleLimit& limit) {
  store.add_failure(failure_key(key), limit.window, [&store, key, limit](StateResult<FailureWindow> result) {
    if (!result) {
      // Counted here instead (fail open, not wide open); never twice: memory does not fail.
      if (&store != &local_fallback()) add_failure(local_fallback(), key, limit);
      return;
    }
    // A failure the store could not count is over every limit (FailureWindow::recorded).
    if (result->count < limit.max_failures) return;
    store.add_failure(ban_key(key), limit.ban, [](const StateResult<FailureWindow>&) {});
  });
}

/// The distinct credentials being verified per failure key, in this process. Bounded by the hashing
/// queue: an entry lives only while its verification does.
class InFlight {
 public:
  /// Adds `id` under `key` unless it is there; the number of distinct ids under `key` before the add.
  std::size_t add(const std::string& key, std::uint64_t id, bool& added) {
    const std::lock_guard lock(mutex_);
    auto& ids = table_[key];
    const std::size_t before = ids.size();
    added = std::find(ids.begin(), ids.end(), id) == ids.end();
    if (added) ids.push_back(id);
    return before - (added ? 0 : 1);
  }
  void remove(const std::string& key, std::uint64_t id) noexcept {
    const std::lock_guard lock(mutex_);
    const auto it = table_.find(key);
    if (it == table_.end()) return;
    auto& ids = it->second;
    const auto at = std::find(ids.begin(), ids.end(), id);
    if (at != ids.end()) ids.erase(at);
    if (ids.empty()) table_.erase(it);
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<std::uint64_t>> table_;  // guarded
};

InFlight& in_flight() {
  static InFlight table;
  return table;
}

}  // namespace

void ThrottleReservation::release() noexcept {
  for (const auto& [key, id] : held_) in_flight().remove(key, id);
  held_.clear();
}

std::optional<Ban> reserve_attempt(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                   std::string_view credentials, ThrottleReservation& reservation) {
  if (route.throttle == nullptr || route.state == nullptr) return std::nullopt;
  const auto id = std::hash<std::string_view>{}(credentials);
  const auto reserve = [&](const std::string& key, const config::ThrottleLimit& limit) -> bool {
    if (key.empty()) return true;
    const std::string failures = failure_key(key);
    const auto window = window_now(*route.state, failures);
    bool added = false;
    const std::size_t others = in_flight().add(failures, id, added);
    if (added) reservation.held_.emplace_back(failures, id);
    // The count alone never refuses (the ban does that, for its own time): only guesses waiting beside
    // others that, failing, would reach the limit.
    return others == 0 || (window ? window->count : 0) + others < limit.max_failures;
  };
  const bool user_ok = reserve(subject.user_key, route.throttle->users);
  const bool address_ok = reserve(subject.address_key, route.throttle->addresses);
  if (user_ok && address_ok) return std::nullopt;
  reservation.release();
  return Ban{Throttled{std::chrono::seconds{1}}, user_ok ? "address" : "user"};
}

ThrottleSubject throttle_subject(const config::CompiledRoute& route, const schemes::Presented& presented,
                                 const RequestFacts& facts) {
  const auto& throttle = *route.throttle;
  ThrottleSubject subject;
  if (throttle.users.max_failures != 0) {
    if (const Scheme* scheme = scheme_for(route, presented.scheme)) {
      const auto parsed = grammar::parse_credentials(presented.field);
      if (parsed) subject.user = scheme->claimed_user(*parsed);
    }
    if (!subject.user.empty()) {
      std::string content =
          throttle.per_realm ? std::string(realm_of(route, presented.scheme)) : std::string();
      content.append(1, '\0').append(subject.user);
      subject.user_key = store_key('u', content);
    }
  }
  if (throttle.addresses.max_failures != 0 && !facts.client_address.empty()) {
    subject.address_key = store_key('a', client_network(facts.client_address, throttle.ipv6_prefix));
  }
  return subject;
}

std::optional<Ban> ban_in_force(const config::CompiledRoute& route, const ThrottleSubject& subject,
                                std::chrono::system_clock::time_point now) {
  if (route.state == nullptr) return std::nullopt;
  std::optional<Ban> ban;
  const auto check = [&](const std::string& key, std::string_view by) {
    if (key.empty()) return;
    if (const auto window = window_now(*route.state, ban_key(key))) consider(ban, *window, by, now);
  };
  check(subject.user_key, "user");
  check(subject.address_key, "address");
  return ban;
}

asio::awaitable<std::optional<Ban>> await_ban(const config::CompiledRoute& route,
                                              const ThrottleSubject& subject, TimePoint now) {
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTBEGIN(clang-analyzer-core.NullDereference)
  std::vector<std::pair<std::string, std::string_view>> keys;  // (ban key, "user" | "address")
  if (!subject.user_key.empty()) keys.emplace_back(ban_key(subject.user_key), "user");
  if (!subject.address_key.empty()) keys.emplace_back(ban_key(subject.address_key), "address");
  if (route.state == nullptr || keys.empty()) co_return std::nullopt;
  auto initiate = [&](auto handler) {
    auto executor = asio::get_associated_executor(handler);
    std::vector<std::string> asked;
    asked.reserve(keys.size());
    for (const auto& key : keys) asked.push_back(key.first);
    auto pending =
        std::make_shared<PendingBan>(std::move(asked), now, std::move(handler), std::move(executor));
    // The callbacks hold the pending check, never this coroutine's frame; the store copies the keys.
    for (const auto& [key, by] : keys) {
      route.state->failures(key, [pending, by = by, key = key](const StateResult<FailureWindow>& result) {
        pending->answer(by, key, result);
      });
    }
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::optional<Ban>)>(
      initiate, asio::use_awaitable);
  // NOLINTEND(clang-analyzer-core.NullDereference)
}

bool recently_unbanned(const ThrottleSubject& subject) noexcept {
  const auto now = std::chrono::steady_clock::now();
  for (const auto* key : {&subject.user_key, &subject.address_key}) {
    if (!key->empty() && !memo_unbanned(ban_key(*key), now)) return false;
  }
  return true;
}

bool counts_as_failure(const Outcome& outcome) noexcept {
  const auto* rejected = std::get_if<Rejected>(&outcome);
  if (rejected == nullptr) return false;
  switch (rejected->reason) {
    case Reason::wrong_password:
    case Reason::unknown_user:
    case Reason::invalid_token:
    case Reason::bad_signature:
    case Reason::unknown_key:
      return true;
    default:
      return false;
  }
}

void count_outcome(const config::CompiledRoute& route, const ThrottleSubject& subject,
                   const Outcome& outcome) {
  if (route.throttle == nullptr || route.state == nullptr) return;
  auto& store = *route.state;
  if (counts_as_failure(outcome)) {
    // The next request for these keys asks the store again: this failure may have banned them.
    for (const auto* key : {&subject.user_key, &subject.address_key}) {
      if (!key->empty()) forget_unbanned(ban_key(*key));
    }
    if (!subject.user_key.empty()) add_failure(store, subject.user_key, route.throttle->users);
    if (!subject.address_key.empty()) add_failure(store, subject.address_key, route.throttle->addresses);
  } else if (std::holds_alternative<Authenticated>(outcome) && !subject.user_key.empty()) {
    store.clear_failures(failure_key(subject.user_key), [](const StateResult<void>&) {});
  }
}

}  // namespace authgate::gateway
