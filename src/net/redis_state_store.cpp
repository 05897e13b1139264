// The Redis StateStore: key layout, one command or script per operation, replies turned into results.
#include "net/redis_state_store.hpp"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include "authgate/grammar/base64.hpp"
#include "net/redis_link.hpp"
#include "net/redis_scripts.hpp"

namespace authgate::net {
namespace {

using detail::RedisReply;
using detail::RedisResult;
using stores::FailureWindow;
using stores::NonceUse;
using stores::StateError;
using stores::StateResult;
using Duration = stores::StateStore::Duration;
using TimePoint = std::chrono::system_clock::time_point;

/// Suffix of each kind of key, so the kinds of state have separate key spaces (the deny-list has its own
/// two keys, `<prefix>{deny}:list` and `<prefix>{deny}:v`).
enum class Kind : char { failure = 'f', nonce = 'n' };

/// Lets the deny-list copy be searched by string_view without a copy.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view text) const noexcept { return std::hash<std::string_view>{}(text); }
};

/// Redis refuses an expiry that overflows its clock; a century is "until the end of time" here.
constexpr Duration longest_ttl = std::chrono::hours(24 * 365 * 100);

StateError unexpected() { return {StateError::Code::unavailable, "unexpected reply from redis"}; }

/// An error reply as a StateError. A full Redis (maxmemory with noeviction) refuses writes with OOM:
/// the entry could not be kept, as when the in-memory store is full.
StateError error_of(const RedisReply& reply) {
  if (reply.text.starts_with("OOM")) {
    return {StateError::Code::too_many_keys, "redis is full (maxmemory, noeviction)"};
  }
  const auto line = std::string_view(reply.text).substr(0, reply.text.find_first_of("\r\n"));
  return {StateError::Code::unavailable, "redis error: " + std::string(line.substr(0, 120))};
}

/// The reply as a StateError when it is not of `type`; nullopt when it is.
std::optional<StateError> check(const RedisResult& result, RedisReply::Type type) {
  if (!result) return result.error();
  if (result->type == RedisReply::Type::error) return error_of(*result);
  if (result->type != type) return unexpected();
  return std::nullopt;
}

using Made = boost::system::result<std::shared_ptr<RedisStateStore>, std::string>;

Made bad(std::string why) { return {boost::system::in_place_error, std::move(why)}; }

std::string ms(Duration d) { return std::to_string(std::min(d, longest_ttl).count()); }

class RedisStore final : public RedisStateStore, public std::enable_shared_from_this<RedisStore> {
 public:
  RedisStore(const boost::asio::any_io_executor& executor,
             std::vector<std::shared_ptr<detail::RedisLink>> links, RedisStateOptions options)
      : links_(std::move(links)),
        options_(std::move(options)),
        poll_timer_(boost::asio::make_strand(executor)) {
    if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
    list_key_ = options_.key_prefix + "{deny}:list";
    version_key_ = options_.key_prefix + "{deny}:v";
  }
  ~RedisStore() override {
    try {
      shutdown();
    } catch (...) {  // posting the timer's cancel can only fail to allocate; the links are shut down first
    }
  }
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  /// Starts polling the deny-list (after construction: the poll holds a weak reference).
  void start_deny_poll() { poll_deny_list(); }

  bool completes_inline() const noexcept override { return false; }
  RedisStatus status() const override { return links_.front()->status(); }
  void shutdown() override {
    stopped_.store(true, std::memory_order_release);  // the deny-list poll stops re-arming
    for (const auto& link : links_) link->shutdown();
    boost::asio::post(poll_timer_.get_executor(), [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->poll_timer_.cancel();
    });
  }

  void add_failure(std::string_view key, Duration window, Callback<FailureWindow> done) override {
    auto k = key_of(Kind::failure, key, &window);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::add_failure_script(), {*k}, {ms(window)}, window_handler(std::move(done)));
  }

  void failures(std::string_view key, Callback<FailureWindow> done) override {
    auto k = key_of(Kind::failure, key);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::failures_script(), {*k}, {}, window_handler(std::move(done)));
  }

  void clear_failures(std::string_view key, Callback<void> done) override {
    auto k = key_of(Kind::failure, key);
    if (!k) return reject(std::move(k).error(), std::move(done));
    link().send(detail::encode_command({"DEL", *k}), [done = std::move(done)](const RedisResult& r) {
      if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
      done({});
    });
  }

  // SET NX: a nonce that is still known keeps its counts (and its ttl). One that Redis evicted would
  // come back at 0; see the header on maxmemory-policy.
  void issue_nonce(std::string_view nonce, Duration ttl, Callback<void> done) override {
    auto k = key_of(Kind::nonce, nonce, &ttl);
    if (!k) return reject(std::move(k).error(), std::move(done));
    link().send(detail::encode_command({"SET", *k, "0", "NX", "PX", ms(ttl)}),
                [done = std::move(done)](const RedisResult& r) {
                  if (r && r->type == RedisReply::Type::nil) return done({});  // already known
                  if (auto e = check(r, RedisReply::Type::status)) return done(std::move(*e));
                  done({});
                });
  }

  void use_nonce(std::string_view nonce, std::uint32_t nc, Callback<NonceUse> done) override {
    auto k = key_of(Kind::nonce, nonce);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::use_nonce_script(), {*k}, {std::to_string(nc)},
        [done = std::move(done)](const RedisResult& r) {
          if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
          switch (r->integer) {
            case 0:
              return done(NonceUse::unknown_or_expired);
            case 1:
              return done(NonceUse::replayed);
            case 2:
              return done(NonceUse::fresh);
            default:
              return done(unexpected());
          }
        });
  }

  // The deny-list is one sorted set under the `{deny}` hash tag (one Cluster slot): every instance reads
  // it whole, when its version changed, into a local copy that the request path asks (denied_locally).
  void deny(std::string_view key, Duration ttl, Callback<void> done) override {
    if (auto e = check_deny_key(key, &ttl)) return reject(std::move(*e), std::move(done));
    const TimePoint now = options_.clock->now();
    const std::string until = epoch_ms(now + std::min(ttl, longest_ttl));
    std::vector<std::string> args{std::string(key), until, epoch_ms(now), new_version(),
                                  std::to_string(max_denies)};
    run(detail::deny_script(), {list_key_, version_key_}, std::move(args),
        [weak = weak_from_this(), done = std::move(done)](const RedisResult& r) {
          if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
          if (r->integer < 0) {
            return done(StateError{StateError::Code::too_many_keys, "the redis deny-list is full"});
          }
          // In this instance's copy before the caller hears back: the next request here is refused.
          auto self = weak.lock();
          if (!self) return done({});
          self->refresh_deny_list([done](bool) { done({}); });
        });
  }

  void is_denied(std::string_view key, Callback<bool> done) override {
    if (auto e = check_deny_key(key)) return reject(std::move(*e), std::move(done));
    link().send(detail::encode_command({"ZSCORE", list_key_, key}),
                [clock = options_.clock, done = std::move(done)](const RedisResult& r) {
                  if (r && r->type == RedisReply::Type::nil) return done(false);
                  if (auto e = check(r, RedisReply::Type::string)) return done(std::move(*e));
                  const auto until = parse_ms(r->text);
                  if (!until) return done(unexpected());
                  done(*until > clock->now());
                });
  }

  bool denied_locally(std::string_view key) const noexcept override {
    if (!has_local_denies()) return false;
    std::shared_ptr<const DenyCopy> copy;
    {
      const std::lock_guard lock(copy_mutex_);
      copy = copy_;
    }
    const auto it = copy->until.find(key);
    return it != copy->until.end() && it->second > options_.clock->now();
  }

  bool has_local_denies() const noexcept override { return any_denies_.load(std::memory_order_acquire); }

 private:
  /// `<prefix>{<base64url(key)>}:<kind>`, or invalid_argument (the detail never quotes the key).
  StateResult<std::string> key_of(Kind kind, std::string_view key, const Duration* ttl = nullptr) const {
    if (ttl != nullptr && *ttl <= Duration::zero()) {
      return StateError{StateError::Code::invalid_argument, "ttl is not positive"};
    }
    if (key.size() > options_.max_key_bytes) {
      return StateError{StateError::Code::invalid_argument,
                        "key longer than " + std::to_string(options_.max_key_bytes) + " bytes"};
    }
    std::string out = options_.key_prefix;
    out += '{';
    out += grammar::encode_base64url(key);
    out += "}:";
    out += static_cast<char>(kind);
    return out;
  }

  /// An answer known without Redis, called back on the strand like every other.
  template <class T>
  void reject(StateError error, Callback<T> done) {
    links_.front()->post(
        [error = std::move(error), done = std::move(done)]() mutable { done(std::move(error)); });
  }

  /// The next link of the pool (round robin): each is one pipelined connection.
  detail::RedisLink& link() {
    const auto at = next_link_.fetch_add(1, std::memory_order_relaxed);
    return *links_[at % links_.size()];
  }

  /// EVALSHA, and EVAL with the same deadline when Redis does not know the script (restarted, flushed).
  void run(const detail::RedisScript& script, std::vector<std::string> keys, std::vector<std::string> args,
           detail::RedisHandler done) {
    auto command = [&script, &keys, &args](std::string_view verb, std::string_view body) {
      const std::string count = std::to_string(keys.size());
      std::vector<std::string_view> words = {verb, body, count};
      words.insert(words.end(), keys.begin(), keys.end());
      words.insert(words.end(), args.begin(), args.end());
      return detail::encode_command(words);
    };
    detail::RedisLink& chosen = link();
    detail::RedisLink* on = &chosen;  // the handler runs inside the link: no reference cycle
    chosen.send(command("EVALSHA", script.sha1),
                [on, eval = command("EVAL", script.body), done = std::move(done)](RedisResult r) mutable {
                  if (r && r->type == RedisReply::Type::error && r->text.starts_with("NOSCRIPT")) {
                    return on->resend(eval, on->current_deadline(), std::move(done));
                  }
                  done(std::move(r));
                });
  }

  /// A deny key's own checks (the deny-list keeps keys as they are: they are sorted-set members).
  std::optional<StateError> check_deny_key(std::string_view key, const Duration* ttl = nullptr) const {
    if (ttl != nullptr && *ttl <= Duration::zero()) {
      return StateError{StateError::Code::invalid_argument, "ttl is not positive"};
    }
    if (key.size() > options_.max_key_bytes) {
      return StateError{StateError::Code::invalid_argument,
                        "key longer than " + std::to_string(options_.max_key_bytes) + " bytes"};
    }
    return std::nullopt;
  }

  /// Reads the deny-list when its version changed and swaps the local copy; `done(true)` when the copy
  /// is current, false when Redis could not be asked (the last known copy stays).
  void refresh_deny_list(std::function<void(bool)> done) {
    std::string known;
    {
      const std::lock_guard lock(copy_mutex_);
      known = copy_->version;
    }
    const TimePoint now = options_.clock->now();
    run(detail::deny_list_script(), {list_key_, version_key_},
        {known, epoch_ms(now), std::to_string(max_denies)},
        [weak = weak_from_this(), done = std::move(done)](const RedisResult& r) {
          auto self = weak.lock();
          if (!self) return done(false);
          done(self->take_deny_list(r));
        });
  }

  bool take_deny_list(const RedisResult& r) {
    if (check(r, RedisReply::Type::array)) return false;
    const auto& e = r->elements;
    if (e.empty() || e[0].type != RedisReply::Type::string) return false;
    if (e.size() == 1) return true;  // unchanged
    if (e.size() != 2 || e[1].type != RedisReply::Type::array || e[1].elements.size() % 2 != 0) return false;
    auto copy = std::make_shared<DenyCopy>();
    copy->version = e[0].text;
    const auto& pairs = e[1].elements;
    for (std::size_t i = 0; i + 1 < pairs.size(); i += 2) {
      const auto until = parse_ms(pairs[i + 1].text);
      if (pairs[i].type != RedisReply::Type::string || !until) return false;
      copy->until.emplace(pairs[i].text, *until);
    }
    if (!copy->until.empty()) any_denies_.store(true, std::memory_order_release);
    const std::lock_guard lock(copy_mutex_);
    copy_ = std::move(copy);
    return true;
  }

  /// Every deny_refresh, on the poll timer's strand, for as long as the store lives.
  void poll_deny_list() {
    refresh_deny_list([weak = weak_from_this()](bool) {
      auto self = weak.lock();
      if (!self) return;
      boost::asio::post(self->poll_timer_.get_executor(), [weak] {
        auto store = weak.lock();
        if (!store || store->stopped_.load(std::memory_order_acquire)) return;
        store->poll_timer_.expires_after(deny_refresh);
        store->poll_timer_.async_wait([weak](boost::system::error_code ec) {
          if (ec) return;
          if (auto again = weak.lock()) again->poll_deny_list();
        });
      });
    });
  }

  /// A fresh version string for a write: instances compare it for equality only.
  static std::string new_version() {
    std::random_device device;
    return std::to_string((std::uint64_t{device()} << 32) | device());
  }

  static std::string epoch_ms(TimePoint at) {
    return std::to_string(std::chrono::duration_cast<Duration>(at.time_since_epoch()).count());
  }

  /// A score written by deny_script (Redis prints doubles as integers while they are whole).
  static std::optional<TimePoint> parse_ms(const std::string& text) {
    char* end = nullptr;
    const double value = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || !(value >= 0)) return std::nullopt;
    return TimePoint(Duration(static_cast<long long>(std::min(value, 9.0e15))));
  }

  /// {count, pttl} → FailureWindow, resets_at from this process's clock.
  detail::RedisHandler window_handler(Callback<FailureWindow> done) const {
    return [clock = options_.clock, done = std::move(done)](const RedisResult& r) {
      if (auto e = check(r, RedisReply::Type::array)) return done(std::move(*e));
      const auto& e = r->elements;
      if (e.size() != 2 || e[0].type != RedisReply::Type::integer || e[1].type != RedisReply::Type::integer) {
        return done(unexpected());
      }
      const TimePoint now = clock->now();
      const auto count = static_cast<std::uint64_t>(std::max<long long>(e[0].integer, 0));
      if (count == 0) return done(FailureWindow{0, now, true});
      const auto left = Duration(std::max<long long>(e[1].integer, 0));
      done(FailureWindow{static_cast<std::uint32_t>(std::min<std::uint64_t>(count, FailureWindow::saturated)),
                         now + left, true});
    };
  }

  /// This process's copy of the deny-list.
  struct DenyCopy {
    std::string version;  // of the list it was read from; "" before the first read
    std::unordered_map<std::string, TimePoint, StringHash, std::equal_to<>> until;
  };
  /// At most this many denies in force at once (the list and every local copy are bounded).
  static constexpr std::size_t max_denies = 100'000;

  std::vector<std::shared_ptr<detail::RedisLink>> links_;
  std::atomic<std::size_t> next_link_{0};
  RedisStateOptions options_;
  std::string list_key_, version_key_;
  boost::asio::steady_timer poll_timer_;
  mutable std::mutex copy_mutex_;  // guards copy_ (the pointer; the copy itself is immutable)
  std::shared_ptr<const DenyCopy> copy_ = std::make_shared<const DenyCopy>();
  std::atomic<bool> any_denies_{false};
  std::atomic<bool> stopped_{false};  // shutdown() was called: no more polls (the executor may then stop)
};

}  // namespace

Made make_redis_state_store(const boost::asio::any_io_executor& executor, RedisStateOptions options) {
  auto endpoint = parse_redis_url(options.url);
  if (!endpoint) return bad(endpoint.error());
  if (!options.password.empty()) endpoint->password = options.password;
  if (options.tls.enabled || endpoint->tls.enabled) {
    endpoint->tls = options.tls;
    endpoint->tls.enabled = true;
  }
  if (options.timeout <= Duration::zero()) return bad("redis: timeout must be positive");
  if (options.reconnect_min <= Duration::zero() || options.reconnect_max < options.reconnect_min) {
    return bad("redis: reconnect backoff must be positive, its cap no lower than its start");
  }
  if (options.key_prefix.find_first_of("{}") != std::string::npos) {
    return bad("redis: the key prefix may not contain { or }");
  }
  // Start-up failures (no SHA-1) throw here, not per request.
  (void)detail::add_failure_script(), (void)detail::failures_script(), (void)detail::use_nonce_script(),
      (void)detail::deny_script(), (void)detail::deny_list_script();
  const detail::RedisLinkOptions link_options{std::move(*endpoint),    options.timeout,
                                              options.connect_timeout, options.reconnect_min,
                                              options.reconnect_max,   options.max_pending};
  std::vector<std::shared_ptr<detail::RedisLink>> links;
  try {  // TLS that cannot be set up (a file unreadable, a key not matching its certificate) throws
    for (std::size_t i = 0; i < std::max<std::size_t>(options.pool, 1); ++i) {
      links.push_back(detail::RedisLink::create(executor, link_options));
    }
  } catch (const std::runtime_error& e) {
    return bad(e.what());
  }
  for (const auto& link : links) link->start();
  auto store = std::make_shared<RedisStore>(executor, std::move(links), std::move(options));
  store->start_deny_poll();
  return std::shared_ptr<RedisStateStore>(std::move(store));
}

}  // namespace authgate::net
