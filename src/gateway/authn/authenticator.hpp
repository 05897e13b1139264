#pragma once
// Step 4 of the request path, inside the judge: the presented credentials, the route's realm for their
// scheme, then the verify cache, else the scheme itself — inline when its work is pure, on the hashing
// pool when a slow hash is due (one hop there and back), awaited on the I/O thread when it must wait
// (introspection, a key refetch). Single-flight per cache key, so N concurrent requests with the same
// uncached credentials cost one hash or one call.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>

#include "authgate/outcome.hpp"
#include "authgate/scheme.hpp"
#include "authgate/schemes/extraction.hpp"
#include "authgate/stores/verify_cache.hpp"
#include "config/snapshot.hpp"
#include "gateway/authn/credential_memo.hpp"

namespace authgate::gateway {

class WorkerPool;

struct AuthResult {
  Outcome outcome;
  const config::CompiledRealm* realm = nullptr;  // the realm whose scheme judged the credentials
  bool cache_lookup = false;                     // the verify cache was consulted
  bool cache_hit = false;                        // … and answered
};

/// The credentials step. Thread-safe: one instance serves every I/O thread.
class Authenticator {
 public:
  /// `ttl` bounds how long a verification is cached (config `cache.ttl`).
  Authenticator(WorkerPool& pool, stores::VerifyCache& cache, std::chrono::milliseconds ttl);
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  /// What cached() learned when the cache did not answer: the key it computed for `realm`, so that
  /// authenticate(), called next with no suspension in between, neither hashes the credentials nor
  /// searches the cache again.
  struct Miss {
    const config::CompiledRealm* realm = nullptr;  // nullptr: nothing was looked up
    stores::VerifyCache::Key key{};
  };

  /// Verifies the credentials a request presents for `route` (not anonymous). Never throws for bad
  /// input: unparsable → the scheme's Malformed malformed_header; no realm of that scheme → Rejected
  /// scheme_not_accepted; a hash that would wait longer than the pool's maximum wait, or a full
  /// hashing queue → Unavailable overloaded with a retry_after. Resumes on the calling
  /// coroutine's executor. `miss`: what cached() left for the same request, or nullptr.
  boost::asio::awaitable<AuthResult> authenticate(const config::CompiledRoute& route,
                                                  const schemes::Presented& presented,
                                                  const RequestFacts& facts, const Miss* miss = nullptr);

  /// What authenticate() would answer from the verify cache alone: credentials verified before that
  /// the first realm of their scheme holds; nullopt otherwise (then call authenticate(), passing `miss`
  /// on). Plain function, no coroutine: the common case, and it must cost well under a microsecond.
  /// `memo`: the connection's (credential_memo.hpp), asked before the cache and told its hits; or nullptr.
  std::optional<AuthResult> cached(const config::CompiledRoute& route, const schemes::Presented& presented,
                                   const RequestFacts& facts, Miss* miss = nullptr,
                                   CredentialMemo* memo = nullptr) const;

  /// What authenticate() answers for credentials whose realm's scheme is never cached and verifies without
  /// waiting (Work::pure: Digest over the in-memory state store), verified here and now; nullopt for
  /// every other case (then call authenticate()). Plain function, no coroutine.
  std::optional<AuthResult> verify_now(const config::CompiledRoute& route,
                                       const schemes::Presented& presented, const RequestFacts& facts);

  /// Calls of Scheme::authenticate() so far (tests assert "ten requests, one hash").
  std::uint64_t scheme_calls() const noexcept { return scheme_calls_.load(std::memory_order_relaxed); }

  struct Flight;
  struct FlightKey {
    stores::VerifyCache::Key key;
    std::uint64_t generation = 0;
    bool operator==(const FlightKey&) const = default;
  };
  struct FlightKeyHash {
    std::size_t operator()(const FlightKey& k) const noexcept;
  };

 private:
  boost::asio::awaitable<AuthResult> verify_in_realm(const config::CompiledRealm& realm,
                                                     const grammar::Credentials& credentials,
                                                     std::string_view field, const RequestFacts& facts,
                                                     const Miss* miss);
  /// Runs a verification that does not finish inline (Work::hashing on the pool, Work::waits through
  /// Scheme::authenticate_async), joined by every request with the same key meanwhile.
  boost::asio::awaitable<Outcome> verify_in_flight(std::shared_ptr<const Scheme> scheme, Work work,
                                                   const grammar::Credentials& credentials,
                                                   const RequestFacts& facts, std::optional<FlightKey> key);
  void cache_if_authenticated(const Scheme& scheme, const std::optional<FlightKey>& key,
                              const Outcome& outcome, std::chrono::system_clock::time_point now);

  WorkerPool& pool_;
  stores::VerifyCache& cache_;
  std::chrono::milliseconds ttl_;
  std::atomic<std::uint64_t> scheme_calls_{0};
  std::mutex flights_mutex_;
  std::unordered_map<FlightKey, std::shared_ptr<Flight>, FlightKeyHash> flights_;  // guarded
};

}  // namespace authgate::gateway
