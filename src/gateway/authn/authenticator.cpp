#include "gateway/authn/authenticator.hpp"

#include <openssl/crypto.h>

#include <algorithm>
#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "gateway/authn/client_network.hpp"
#include "gateway/authn/worker_pool.hpp"

namespace authgate::gateway {

namespace asio = boost::asio;

namespace {

/// RequestFacts with its own strings, for the worker thread.
struct OwnedFacts {
  std::string method, target, host, client_address;
  bool secure = false;
  std::chrono::system_clock::time_point now;
  std::optional<std::string> body;

  explicit OwnedFacts(const RequestFacts& f)
      : method(f.method),
        target(f.target),
        host(f.host),
        client_address(f.client_address),
        secure(f.secure),
        now(f.now),
        body(f.body ? std::optional<std::string>(*f.body) : std::nullopt) {}
  RequestFacts view() const {
    return {method,
            target,
            host,
            client_address,
            secure,
            now,
            body ? std::optional<std::string_view>(*body) : std::nullopt};
  }
};

// The verify-cache key of `field` in `realm`'s protection space ("<Scheme> realm=<name>"), so a realm
// never answers for another (verify_cache.hpp). The space goes in pieces: nothing is joined per request.
stores::VerifyCache::Key cache_key(const stores::VerifyCache& cache, const config::CompiledRealm& realm,
                                   std::string_view field) {
  return cache.key_for({realm.scheme->name(), " realm=", realm.name}, field);
}

bool is_rejected(const Outcome& outcome) { return std::holds_alternative<Rejected>(outcome); }

// Whose share of the hashing threads a verification takes: the client's network, then the user the
// credentials claim, so neither one address nor one user name can crowd the others out.
FairKey fair_key(const Scheme& scheme, const grammar::Credentials& credentials, const RequestFacts& facts) {
  constexpr std::size_t max_user_bytes = 128;  // enough to tell users apart; bounds what a queue entry holds
  auto user = scheme.claimed_user(credentials);
  if (user.size() > max_user_bytes) user.resize(max_user_bytes);
  return FairKey{client_network(facts.client_address), std::move(user)};
}

}  // namespace

struct Authenticator::Flight {
  struct Waiter {
    asio::any_completion_handler<void(Outcome)> handler;
    asio::any_io_executor executor;
  };
  std::vector<Waiter> waiters;
};

std::size_t Authenticator::FlightKeyHash::operator()(const FlightKey& k) const noexcept {
  return stores::VerifyCache::KeyHash{}(k.key) ^ static_cast<std::size_t>(k.generation);
}

Authenticator::Authenticator(WorkerPool& pool, stores::VerifyCache& cache, std::chrono::milliseconds ttl)
    : pool_(pool), cache_(cache), ttl_(ttl) {}

// Why this equals authenticate(): a hit means these exact bytes were verified by this realm's scheme
// before, so they parse as they did then; and authenticate() asks the realms of the scheme in route
// order and stops at the first that does not reject, which is this one when it answers from the cache.
std::optional<AuthResult> Authenticator::cached(const config::CompiledRoute& route,
                                                const schemes::Presented& presented,
                                                const RequestFacts& facts, Miss* miss,
                                                CredentialMemo* memo) const {
  for (const auto* realm : route.realms) {
    const auto& scheme = *realm->scheme;
    if (!grammar::iequals(scheme.name(), presented.scheme)) continue;
    if (!scheme.is_cacheable()) return std::nullopt;
    const auto generation = scheme.generation();
    std::shared_ptr<const Identity> identity;
    if (memo != nullptr) identity = memo->recall(*realm, presented.field, generation, facts.now);
    if (!identity) {
      const auto key = cache_key(cache_, *realm, presented.field);
      stores::VerifyCache::TimePoint expires;
      identity = cache_.find(key, generation, facts.now, &expires);
      if (!identity) {
        if (miss != nullptr) *miss = Miss{realm, key};
        return std::nullopt;
      }
      if (memo != nullptr) memo->remember(*realm, presented.field, generation, expires, identity);
    }
    AuthResult result{Authenticated{std::move(identity)}, realm};
    result.cache_lookup = true;
    result.cache_hit = true;
    return result;
  }
  return std::nullopt;
}

std::optional<AuthResult> Authenticator::verify_now(const config::CompiledRoute& route,
                                                    const schemes::Presented& presented,
                                                    const RequestFacts& facts) {
  // validate() allows one realm per scheme on a route, so the first realm of the scheme is the only one.
  for (const auto* realm : route.realms) {
    const auto& scheme = *realm->scheme;
    if (!grammar::iequals(scheme.name(), presented.scheme)) continue;
    if (scheme.is_cacheable()) return std::nullopt;  // the cache path (cached(), then authenticate())
    auto credentials = grammar::parse_credentials(presented.field);
    if (!credentials || scheme.work(*credentials) != Work::pure) return std::nullopt;
    scheme_calls_.fetch_add(1, std::memory_order_relaxed);
    return AuthResult{scheme.authenticate(*credentials, facts), realm};
  }
  return std::nullopt;
}

asio::awaitable<AuthResult> Authenticator::authenticate(const config::CompiledRoute& route,
                                                        const schemes::Presented& presented,
                                                        const RequestFacts& facts, const Miss* miss) {
  auto credentials = grammar::parse_credentials(presented.field);
  if (!credentials) {
    co_return AuthResult{
        schemes::malformed_credentials(route.schemes, presented.scheme, Reason::malformed_header)};
  }
  AuthResult result{Rejected{Reason::scheme_not_accepted, {}, {}}};
  for (const auto* realm : route.realms) {
    if (!grammar::iequals(realm->scheme->name(), credentials->scheme)) continue;
    auto judged = co_await verify_in_realm(*realm, *credentials, presented.field, facts, miss);
    const bool looked = result.cache_lookup || judged.cache_lookup;
    result = std::move(judged);
    result.cache_lookup = looked;
    // Several realms of one scheme (two user files): the first that does not reject decides, like
    // Apache's AuthBasicProvider list.
    if (!is_rejected(result.outcome)) break;
  }
  co_return result;
}

asio::awaitable<AuthResult> Authenticator::verify_in_realm(const config::CompiledRealm& realm,
                                                           const grammar::Credentials& credentials,
                                                           std::string_view field, const RequestFacts& facts,
                                                           const Miss* miss) {
  AuthResult result{NoCredentials{}, &realm};
  const auto& scheme = *realm.scheme;
  // cached() has just hashed these credentials for this realm and found nothing: reuse its key and
  // skip the second search (no suspension came between, so only another I/O thread could have
  // added the entry since, and then this verification merely repeats its work).
  const bool missed_here = miss != nullptr && miss->realm == &realm;
  std::optional<FlightKey> key;
  if (missed_here) {
    key = FlightKey{miss->key, scheme.generation()};
  } else if (scheme.is_cacheable()) {
    key = FlightKey{cache_key(cache_, realm, field), scheme.generation()};
  }
  if (key) result.cache_lookup = true;
  if (key && !missed_here) {
    if (auto identity = cache_.find(key->key, key->generation, facts.now)) {
      result.cache_hit = true;
      result.outcome = Authenticated{std::move(identity)};
      co_return result;
    }
  }
  const Work work = scheme.work(credentials);
  if (work == Work::pure) {
    result.outcome = scheme.authenticate(credentials, facts);
    scheme_calls_.fetch_add(1, std::memory_order_relaxed);
    cache_if_authenticated(scheme, key, result.outcome, facts.now);
  } else {
    result.outcome = co_await verify_in_flight(realm.scheme, work, credentials, facts, key);
  }
  co_return result;
}

void Authenticator::cache_if_authenticated(const Scheme& scheme, const std::optional<FlightKey>& key,
                                           const Outcome& outcome,
                                           std::chrono::system_clock::time_point now) {
  const auto* authenticated = std::get_if<Authenticated>(&outcome);
  if (!key || authenticated == nullptr || !scheme.is_cacheable()) return;
  // Reused until min(now + cache.ttl, not_after): a Bearer token's exp bounds its entry, so a cached
  // token never outlives itself. `now` is the request's clock (the snapshot's), as the scheme's is.
  auto expires = now + ttl_;
  if (authenticated->not_after && *authenticated->not_after < expires) expires = *authenticated->not_after;
  if (expires <= now) return;
  cache_.insert(key->key, authenticated->identity, key->generation, expires);
}

asio::awaitable<Outcome> Authenticator::verify_in_flight(std::shared_ptr<const Scheme> scheme, Work work,
                                                         const grammar::Credentials& credentials,
                                                         const RequestFacts& facts,
                                                         std::optional<FlightKey> key) {
  auto initiate = [&](auto handler) {
    auto executor = asio::get_associated_executor(handler);
    std::shared_ptr<Flight> flight;
    {
      std::lock_guard lock{flights_mutex_};
      if (key) {
        if (auto it = flights_.find(*key); it != flights_.end()) {
          // Single-flight: the same credentials are being verified right now; wait for that answer.
          it->second->waiters.push_back({std::move(handler), executor});
          return;
        }
      }
      flight = std::make_shared<Flight>();
      flight->waiters.push_back({std::move(handler), executor});
      if (key) flights_.emplace(*key, flight);
    }
    // Every waiter resumes on its own executor, whichever thread the answer came from.
    auto deliver = [this, flight, key](Outcome outcome) {
      std::vector<Flight::Waiter> waiters;
      {
        std::lock_guard lock{flights_mutex_};
        if (key) flights_.erase(*key);
        waiters = std::move(flight->waiters);
      }
      for (auto& waiter : waiters) {
        asio::post(waiter.executor,
                   [h = std::move(waiter.handler), outcome]() mutable { std::move(h)(outcome); });
      }
    };
    auto conclude = [this, scheme, key, now = facts.now, deliver](Outcome outcome) {
      scheme_calls_.fetch_add(1, std::memory_order_relaxed);
      cache_if_authenticated(*scheme, key, outcome, now);
      deliver(std::move(outcome));
    };
    if (work == Work::waits) {
      // On this I/O thread, without a pool thread: the first requester's coroutine is suspended until
      // the answer is delivered, so `credentials` and `facts` (its frame's) outlive the wait.
      scheme->authenticate_async(credentials, facts, executor, conclude);
      return;
    }
    auto job = [scheme, credentials = grammar::Credentials{credentials}, owned = OwnedFacts{facts},
                conclude]() mutable {
      Outcome outcome = scheme->authenticate(credentials, owned.view());
      if (credentials.token68) {
        auto& token = *credentials.token68;  // base64 of user:password: wiped once verified
        OPENSSL_cleanse(token.data(), token.size());
      }
      conclude(std::move(outcome));
    };
    // Why: a queue bounded by its expected wait turns a hash flood into quick 503s for the flooder
    // instead of unbounded latency for everyone.
    const auto admission = pool_.try_post(fair_key(*scheme, credentials, facts), std::move(job));
    if (!admission.admitted) deliver(Unavailable{Reason::overloaded, admission.retry_after});
  };
  co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(Outcome)>(initiate,
                                                                                        asio::use_awaitable);
}

}  // namespace authgate::gateway
