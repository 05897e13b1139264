// The JWKS refresher's schedule and bookkeeping (see gateway/jwks_refresher.hpp); one fetch is
// fetch_key_set() in jwks_fetch.cpp.
#include "gateway/keys/jwks_refresher.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>

#include "gateway/keys/jwks_fetch.hpp"
#include "gateway/ops/metrics.hpp"

namespace authgate::gateway {

namespace asio = boost::asio;
using SteadyClock = std::chrono::steady_clock;

namespace {

// What a Bearer scheme sees of one source (schemes::KeyRefetch): whether a refetch would run soon, and
// a way to ask for one and be called back when it ends. The state is the refresher's; it is mirrored
// into atomics here because schemes ask from the I/O threads.
class SourceRefetch final : public schemes::KeyRefetch {
 public:
  SourceRefetch(std::weak_ptr<JwksRefresher::Source> source, asio::any_io_executor executor)
      : source_(std::move(source)), executor_(std::move(executor)) {}

  bool available() const noexcept override {
    if (retired_.load(std::memory_order_acquire) || !waits_.load(std::memory_order_acquire)) return false;
    return fetching_.load(std::memory_order_acquire) ||
           SteadyClock::now().time_since_epoch().count() >= allowed_at_.load(std::memory_order_acquire);
  }
  void refetch(std::function<void()> done) override;

  void publish(bool fetching, SteadyClock::time_point allowed_at, bool waits) noexcept {
    allowed_at_.store(allowed_at.time_since_epoch().count(), std::memory_order_release);
    waits_.store(waits, std::memory_order_release);
    fetching_.store(fetching, std::memory_order_release);
  }
  void retire() noexcept { retired_.store(true, std::memory_order_release); }

 private:
  std::weak_ptr<JwksRefresher::Source> source_;
  asio::any_io_executor executor_;
  std::atomic<bool> fetching_{false};
  std::atomic<bool> waits_{true};
  std::atomic<bool> retired_{false};
  std::atomic<SteadyClock::rep> allowed_at_{0};
  std::atomic<bool> wake_posted_{false};  // at most one plain request queued, however many tokens ask
};

}  // namespace

struct JwksRefresher::Source {
  explicit Source(const asio::any_io_executor& executor) : timer(executor), waiter_timer(executor) {}
  std::string key;
  std::string realm;  // the first realm using this source: names it in logs and metrics
  config::RemoteKeys settings;
  std::vector<std::weak_ptr<jose::LiveKeySet>> targets;       // the snapshots own them
  std::vector<std::weak_ptr<schemes::KeyRefetchSlot>> slots;  // where `refetch` is attached
  std::shared_ptr<SourceRefetch> refetch;                     // what the realms' schemes see
  std::shared_ptr<const jose::KeySet> last_good;
  asio::steady_timer timer;
  SteadyClock::time_point next_fetch = SteadyClock::now();
  SteadyClock::time_point last_fetch = SteadyClock::time_point::min();
  int failures = 0;
  std::string skipped;        // the last fetch's skipped keys: logged when they change, not every refresh
  DiscoveredJwks discovered;  // oidc: the jwks_uri, asked for again only when stale or failing
  std::string jwks_url;       // where the last good set came from
  bool stopped = false;
  bool fetching = false;
  /// Requests parked on an unknown kid, oldest first; answered when the next fetch ends, or at their
  /// deadline (settings.refetch_wait after they came). Touched on the executor only.
  struct Waiter {
    SteadyClock::time_point deadline;
    std::function<void()> done;
  };
  std::deque<Waiter> waiters;
  asio::steady_timer waiter_timer;
  bool waiter_timer_armed = false;
};

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string source_key(const config::RemoteKeys& remote) {
  return (remote.discovery_issuer.empty() ? "jwks " + remote.jwks_url : "oidc " + remote.discovery_issuer) +
         "|ca " + remote.ca_file;
}

SteadyClock::duration clamp_interval(SteadyClock::duration d, const config::RemoteKeys& s) {
  return std::clamp<SteadyClock::duration>(d, s.min_refresh_interval,
                                           std::max(s.refresh_interval, s.min_refresh_interval));
}

// A token named an unknown kid: fetch as soon as the rate limit allows (one per min_refresh_interval).
// Not while a fetch runs (its set answers the token, and the parked requests are called back when it
// ends), and not during a failure's backoff (a flood of made-up kids must not turn the documented
// 1 s, 2 s, 4 s … retries against a broken issuer into back-to-back fetches).
void on_refresh_request(JwksRefresher::Source& s) {
  if (s.stopped || s.fetching || s.failures > 0) return;
  const auto allowed = s.last_fetch == SteadyClock::time_point::min()
                           ? SteadyClock::now()
                           : std::max(SteadyClock::now(), s.last_fetch + s.settings.min_refresh_interval);
  if (allowed < s.next_fetch) {
    s.next_fetch = allowed;
    s.timer.cancel();  // the loop re-reads next_fetch
  }
}

void install(JwksRefresher::Source& s, const std::shared_ptr<const jose::KeySet>& keys, Metrics* metrics) {
  s.last_good = keys;
  for (const auto& weak : s.targets) {
    if (auto live = weak.lock()) live->replace(keys);
  }
  if (metrics) metrics->key_sources().set_keys(s.realm, keys->keys().size());
}

void schedule_after(JwksRefresher::Source& s, const KeySetFetch& result, Metrics* metrics) {
  if (metrics) metrics->key_sources().count_fetch(s.realm, result.has_value());
  if (result) {
    if (s.failures > 0 || !s.last_good) {
      spdlog::info("jwks realm {}: {} key(s) in force", s.realm, result->keys->keys().size());
    }
    if (result->skipped != s.skipped && !result->skipped.empty()) {
      spdlog::warn("jwks realm {}: keys skipped: {}", s.realm,
                   result->skipped);  // RFC 7517 §5: others stay usable
    }
    s.skipped = result->skipped;
    if (!s.jwks_url.empty() && result->jwks_url != s.jwks_url) {
      spdlog::info("jwks realm {}: the keys moved from {} to {}", s.realm, s.jwks_url, result->jwks_url);
    }
    s.jwks_url = result->jwks_url;
    install(s, result->keys, metrics);
    s.failures = 0;
    auto interval = SteadyClock::duration(s.settings.refresh_interval);
    if (result->max_age) interval = std::min<SteadyClock::duration>(interval, *result->max_age);
    s.next_fetch = s.last_fetch + clamp_interval(interval, s.settings);
  } else {
    ++s.failures;
    const auto backoff =
        std::min<SteadyClock::duration>(std::chrono::seconds(std::int64_t{1} << std::min(s.failures - 1, 16)),
                                        std::max(s.settings.refresh_interval, s.settings.timeout));
    s.next_fetch = SteadyClock::now() + backoff;
    const auto secs =
        static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(backoff).count()) / 1000.0;
    if (s.last_good) {
      spdlog::warn(
          "jwks realm {}: refresh failed: {}; keeping the last good set ({} key(s)); retry in {:.0f} s",
          s.realm, result.error(), s.last_good->keys().size(), secs);
    } else {
      spdlog::warn("jwks realm {}: fetch failed: {}; no keys yet, the realm answers 503; retry in {:.0f} s",
                   s.realm, result.error(), secs);
    }
  }
}

// Tells the schemes what a verifier deciding whether to wait for a refetch needs to know.
void publish_state(JwksRefresher::Source& s) {
  // After a failure the next fetch is the backoff's: a token waiting before then would wait for nothing.
  const auto allowed = s.failures > 0 ? s.next_fetch
                       : s.last_fetch == SteadyClock::time_point::min()
                           ? SteadyClock::time_point{}
                           : s.last_fetch + s.settings.min_refresh_interval;
  s.refetch->publish(s.fetching, allowed, s.settings.refetch_wait.count() > 0);
}

// Answers every parked request: the fetch they waited for has ended (or never will).
void release_waiters(JwksRefresher::Source& s) {
  auto waiters = std::move(s.waiters);
  s.waiters.clear();
  s.waiter_timer.cancel();
  for (auto& waiter : waiters) waiter.done();
}

// Answers the parked requests whose refetch_wait is over, and sleeps until the next one's.
void arm_waiter_timer(const std::shared_ptr<JwksRefresher::Source>& s) {
  if (s->waiter_timer_armed || s->waiters.empty()) return;
  s->waiter_timer_armed = true;
  s->waiter_timer.expires_at(s->waiters.front().deadline);
  s->waiter_timer.async_wait([s](boost::system::error_code) {
    s->waiter_timer_armed = false;
    const auto now = SteadyClock::now();
    while (!s->waiters.empty() && s->waiters.front().deadline <= now) {
      auto done = std::move(s->waiters.front().done);
      s->waiters.pop_front();
      done();
    }
    arm_waiter_timer(s);
  });
}

// A key set no refresher serves any more (its snapshot was replaced, or shutdown): nobody will answer
// a refetch request, so verifiers must not wait for one.
void retire(JwksRefresher::Source& s) {
  s.refetch->retire();
  for (const auto& weak : s.slots) {
    if (auto slot = weak.lock()) slot->attach(nullptr);
  }
  s.slots.clear();
  s.targets.clear();
}

void SourceRefetch::refetch(std::function<void()> done) {
  auto source = source_.lock();
  if (!source || retired_.load(std::memory_order_acquire)) {
    if (done) done();
    return;
  }
  if (!done) {
    if (wake_posted_.exchange(true)) return;
    asio::post(executor_, [this, source] {
      wake_posted_ = false;
      on_refresh_request(*source);
    });
    return;
  }
  asio::post(executor_, [source, done = std::move(done)]() mutable {
    if (source->stopped) return done();
    source->waiters.push_back({SteadyClock::now() + source->settings.refetch_wait, std::move(done)});
    arm_waiter_timer(source);
    on_refresh_request(*source);
  });
}

asio::awaitable<void> refresh_loop(std::shared_ptr<JwksRefresher::Source> s, Metrics* metrics) {
  while (!s->stopped) {
    while (!s->stopped && SteadyClock::now() < s->next_fetch) {
      s->timer.expires_at(s->next_fetch);
      co_await s->timer.async_wait(use_tuple);  // cancelled by refresh requests and stop()
    }
    if (s->stopped) break;
    s->fetching = true;
    s->last_fetch = SteadyClock::now();
    publish_state(*s);
    const auto result = co_await fetch_key_set(s->settings, s->discovered);
    s->fetching = false;
    if (s->stopped) break;
    schedule_after(*s, result, metrics);  // installs a new set before the waiters verify again
    publish_state(*s);
    release_waiters(*s);
  }
  release_waiters(*s);
}

}  // namespace

JwksRefresher::JwksRefresher(asio::any_io_executor executor, Metrics* metrics)
    : executor_(std::move(executor)), metrics_(metrics) {}

JwksRefresher::~JwksRefresher() { stop(); }

void JwksRefresher::apply(const config::Snapshot& snapshot) {
  std::map<std::string, std::shared_ptr<Source>> next;
  std::vector<std::shared_ptr<Source>> started;
  for (const auto& realm : snapshot.realms) {
    if (realm.remote == nullptr || !realm.live_keys) continue;
    const std::string key = source_key(*realm.remote);
    auto& source = next[key];
    if (!source) {
      if (auto old = sources_.find(key); old != sources_.end()) {
        source = old->second;
        source->targets.clear();  // the old snapshot's slots stay attached until it is gone
        source->slots.clear();
      } else {
        source = std::make_shared<Source>(executor_);
        source->key = key;
        source->realm = realm.name;
        source->refetch = std::make_shared<SourceRefetch>(source, executor_);
        started.push_back(source);
      }
      source->settings = *realm.remote;  // intervals may have changed
    }
    source->targets.push_back(realm.live_keys);
    // Why: the new snapshot must verify from its first request on; waiting for a fetch would turn a
    // reload into a burst of 503s.
    if (source->last_good) realm.live_keys->replace(source->last_good);
    if (realm.refetch) {
      realm.refetch->attach(source->refetch);
      source->slots.push_back(realm.refetch);
    }
  }
  for (auto& [key, source] : next) publish_state(*source);
  for (auto& [key, source] : sources_) {
    if (next.contains(key)) continue;
    spdlog::info("jwks realm {}: no longer configured; refresher stopped", source->realm);
    retire(*source);
    source->stopped = true;
    source->timer.cancel();
    release_waiters(*source);
  }
  sources_ = std::move(next);
  for (auto& source : started) asio::co_spawn(executor_, refresh_loop(source, metrics_), asio::detached);
}

void JwksRefresher::stop() {
  for (auto& [key, source] : sources_) {
    retire(*source);
    source->stopped = true;
    source->timer.cancel();
    release_waiters(*source);
  }
  sources_.clear();
}

}  // namespace authgate::gateway
