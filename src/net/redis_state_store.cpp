// The Redis StateStore: key layout, one command or script per operation, replies turned into results.
#include "net/redis_state_store.hpp"

#include <algorithm>
#include <utility>

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

/// Suffix of each kind of key, so the three kinds of state have separate key spaces.
enum class Kind : char { failure = 'f', nonce = 'n', deny = 'd' };

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

class RedisStore final : public RedisStateStore {
 public:
  RedisStore(std::shared_ptr<detail::RedisLink> link, RedisStateOptions options)
      : link_(std::move(link)), options_(std::move(options)) {
    if (!options_.clock) options_.clock = std::make_shared<SystemClock>();
  }
  ~RedisStore() override { link_->shutdown(); }
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  bool completes_inline() const noexcept override { return false; }
  RedisStatus status() const override { return link_->status(); }
  void shutdown() override { link_->shutdown(); }

  void add_failure(std::string_view key, Duration window, Callback<FailureWindow> done) override {
    auto k = key_of(Kind::failure, key, &window);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::add_failure_script(), *k, ms(window), window_handler(std::move(done)));
  }

  void failures(std::string_view key, Callback<FailureWindow> done) override {
    auto k = key_of(Kind::failure, key);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::failures_script(), *k, {}, window_handler(std::move(done)));
  }

  void clear_failures(std::string_view key, Callback<void> done) override {
    auto k = key_of(Kind::failure, key);
    if (!k) return reject(std::move(k).error(), std::move(done));
    link_->send(detail::encode_command({"DEL", *k}), [done = std::move(done)](const RedisResult& r) {
      if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
      done({});
    });
  }

  // SET NX: a nonce that is still known keeps its counts (and its ttl). One that Redis evicted would
  // come back at 0; see the header on maxmemory-policy.
  void issue_nonce(std::string_view nonce, Duration ttl, Callback<void> done) override {
    auto k = key_of(Kind::nonce, nonce, &ttl);
    if (!k) return reject(std::move(k).error(), std::move(done));
    link_->send(detail::encode_command({"SET", *k, "0", "NX", "PX", ms(ttl)}),
                [done = std::move(done)](const RedisResult& r) {
                  if (r && r->type == RedisReply::Type::nil) return done({});  // already known
                  if (auto e = check(r, RedisReply::Type::status)) return done(std::move(*e));
                  done({});
                });
  }

  void use_nonce(std::string_view nonce, std::uint32_t nc, Callback<NonceUse> done) override {
    auto k = key_of(Kind::nonce, nonce);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::use_nonce_script(), *k, std::to_string(nc), [done = std::move(done)](const RedisResult& r) {
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

  void deny(std::string_view key, Duration ttl, Callback<void> done) override {
    auto k = key_of(Kind::deny, key, &ttl);
    if (!k) return reject(std::move(k).error(), std::move(done));
    run(detail::deny_script(), *k, ms(ttl), [done = std::move(done)](const RedisResult& r) {
      if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
      done({});
    });
  }

  void is_denied(std::string_view key, Callback<bool> done) override {
    auto k = key_of(Kind::deny, key);
    if (!k) return reject(std::move(k).error(), std::move(done));
    link_->send(detail::encode_command({"EXISTS", *k}), [done = std::move(done)](const RedisResult& r) {
      if (auto e = check(r, RedisReply::Type::integer)) return done(std::move(*e));
      done(r->integer > 0);
    });
  }

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
    link_->post([error = std::move(error), done = std::move(done)]() mutable { done(std::move(error)); });
  }

  /// EVALSHA, and EVAL with the same deadline when Redis does not know the script (restarted, flushed).
  void run(const detail::RedisScript& script, const std::string& key, const std::string& arg,
           detail::RedisHandler done) {
    auto command = [&script, key, arg](std::string_view verb, std::string_view body) {
      std::vector<std::string_view> args = {verb, body, "1", key};
      if (!arg.empty()) args.emplace_back(arg);
      return detail::encode_command(args);
    };
    detail::RedisLink* link = link_.get();  // the handler runs inside the link: no reference cycle
    link_->send(command("EVALSHA", script.sha1),
                [link, eval = command("EVAL", script.body), done = std::move(done)](RedisResult r) mutable {
                  if (r && r->type == RedisReply::Type::error && r->text.starts_with("NOSCRIPT")) {
                    return link->resend(eval, link->current_deadline(), std::move(done));
                  }
                  done(std::move(r));
                });
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

  std::shared_ptr<detail::RedisLink> link_;
  RedisStateOptions options_;
};

}  // namespace

Made make_redis_state_store(const boost::asio::any_io_executor& executor, RedisStateOptions options) {
  auto endpoint = parse_redis_url(options.url);
  if (!endpoint) return bad(endpoint.error());
  if (!options.password.empty()) endpoint->password = options.password;
  if (options.timeout <= Duration::zero()) return bad("redis: timeout must be positive");
  if (options.reconnect_min <= Duration::zero() || options.reconnect_max < options.reconnect_min) {
    return bad("redis: reconnect backoff must be positive, its cap no lower than its start");
  }
  if (options.key_prefix.find_first_of("{}") != std::string::npos) {
    return bad("redis: the key prefix may not contain { or }");
  }
  // Start-up failures (no SHA-1) throw here, not per request.
  (void)detail::add_failure_script(), (void)detail::failures_script(), (void)detail::use_nonce_script(),
      (void)detail::deny_script();
  detail::RedisLinkOptions link_options{std::move(*endpoint),  options.timeout,       options.connect_timeout,
                                        options.reconnect_min, options.reconnect_max, options.max_pending};
  auto link = detail::RedisLink::create(executor, std::move(link_options));
  link->start();
  return std::shared_ptr<RedisStateStore>(std::make_shared<RedisStore>(std::move(link), std::move(options)));
}

}  // namespace authgate::net
