// The Bearer scheme for opaque tokens: RFC 7662 token introspection over net::HttpClient. The call is a
// wait (Work::waits): the gateway awaits authenticate_async() on its I/O thread, and caches Authenticated
// outcomes until their not_after.
#include <openssl/crypto.h>

#include <spdlog/spdlog.h>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <utility>

#include "authgate/grammar/base64.hpp"
#include "authgate/grammar/parse.hpp"
#include "authgate/jose/error.hpp"
#include "authgate/schemes/introspection.hpp"
#include "net/http_fetch.hpp"
#include "net/http_fetch_async.hpp"
#include "schemes/bearer/bearer_syntax.hpp"
#include "schemes/bearer/introspection_detail.hpp"
#include "schemes/bearer/rejection_cache.hpp"

namespace authgate::schemes {
namespace detail {

std::string form_urlencode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '*' || c == '-' ||
        c == '.' || c == '_') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 0xF]);
    }
  }
  return out;
}

std::string introspection_request_body(std::string_view token) {
  return "token=" + form_urlencode(token) + "&token_type_hint=access_token";
}

std::string basic_client_credentials(std::string_view client_id, std::string_view client_secret) {
  std::string pair = form_urlencode(client_id);
  pair += ':';
  std::string secret = form_urlencode(client_secret);
  pair += secret;
  std::string field = "Basic " + grammar::encode_base64(pair);
  OPENSSL_cleanse(secret.data(), secret.size());
  OPENSSL_cleanse(pair.data(), pair.size());
  return field;
}

}  // namespace detail

namespace {

constexpr std::string_view scheme_name = detail::bearer_scheme_name;
std::atomic<std::uint64_t> next_generation{1};

/// Logs at most one warning per second per scheme: an endpoint that is down must not flood the log.
class LogLimiter {
 public:
  bool allow() noexcept {
    const auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_.load(std::memory_order_relaxed);
    if (now - last < std::chrono::steady_clock::duration(std::chrono::seconds(1)).count()) return false;
    return last_.compare_exchange_strong(last, now, std::memory_order_relaxed);
  }

 private:
  std::atomic<std::chrono::steady_clock::rep> last_{
      std::numeric_limits<std::chrono::steady_clock::rep>::min() / 2};
};

class IntrospectionScheme final : public Scheme {
 public:
  IntrospectionScheme(IntrospectionOptions options, std::shared_ptr<const Clock> clock)
      : options_(std::move(options)),
        clock_(std::move(clock)),
        rejections_("Bearer realm=" + options_.realm, options_.negative_cache_ttl,
                    options_.negative_cache_entries) {
    authorization_ = detail::basic_client_credentials(options_.client_id, options_.client_secret);
    OPENSSL_cleanse(options_.client_secret.data(), options_.client_secret.size());
    options_.client_secret.clear();
    policy_.issuer = options_.issuer;
    policy_.audiences = options_.audiences;
    policy_.user_claim = options_.user_claim.empty() ? "sub" : options_.user_claim;
    policy_.groups_claim = options_.groups_claim;
    policy_.leeway = options_.leeway;
    // Why keep-alive: every uncached token is a call, and a TLS handshake per call would cost the
    // authorization server (and us) more than the answer. Introspection is a query, so the client's one
    // retry of a request on a connection that turned out closed is safe (RFC 7662 §2.1, RFC 9110 §9.2.2).
    auto client = net::HttpClient::create(
        options_.ca_file, net::ConnectionReuse{options_.max_idle_connections, options_.idle_timeout});
    if (client) {
      client_ = *client;
    } else {
      spdlog::error("introspection realm {}: {}", options_.realm, client.error().message());
    }
  }
  ~IntrospectionScheme() override { OPENSSL_cleanse(authorization_.data(), authorization_.size()); }

  std::string_view name() const noexcept override { return scheme_name; }

  grammar::Challenge challenge(const ChallengeContext&) const override {
    return detail::bearer_challenge(options_.realm, options_.scope);
  }

  Work work(const grammar::Credentials&) const noexcept override { return Work::waits; }  // a network call
  bool is_cacheable() const noexcept override { return true; }
  Malformed malformed(Reason reason) const override { return detail::invalid_request(reason); }
  // Per scheme instance: a reload builds a new scheme, so answers cached under the old settings (another
  // endpoint, issuer or audience) become misses.
  std::uint64_t generation() const noexcept override { return generation_; }

  // Blocking: for callers outside the gateway (the gateway awaits authenticate_async()).
  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts&) const override {
    if (auto answered = answer_without_call(credentials)) return std::move(*answered);
    return conclude(*credentials.token68, client_->fetch(request_for(*credentials.token68), limits()));
  }

  void authenticate_async(const grammar::Credentials& credentials, const RequestFacts&,
                          const boost::asio::any_io_executor& executor, Completion done) const override {
    if (auto answered = answer_without_call(credentials)) return done(std::move(*answered));
    // Why a bound: without the worker pool's, a flood of fresh tokens would open a connection each to
    // an endpoint that is already slow.
    if (in_flight_.fetch_add(1, std::memory_order_relaxed) >= options_.max_in_flight) {
      in_flight_.fetch_sub(1, std::memory_order_relaxed);
      return done(unavailable("too many calls in flight"));
    }
    const std::string_view token = *credentials.token68;  // valid until done (the caller's promise)
    boost::asio::co_spawn(executor, net::async_fetch(*client_, request_for(token), limits()),
                          [this, token, done = std::move(done)](const std::exception_ptr& error,
                                                                const net::FetchResult& response) {
                            in_flight_.fetch_sub(1, std::memory_order_relaxed);
                            if (error) return done(unavailable("the call failed unexpectedly"));
                            done(conclude(token, response));
                          });
  }

 private:
  // The answers that need no call: broken syntax, an oversized token, no client, a cached refusal.
  std::optional<Outcome> answer_without_call(const grammar::Credentials& credentials) const {
    if (auto problem = detail::bearer_syntax_problem(credentials)) return std::move(*problem);
    if (credentials.token68->size() > options_.max_token_bytes) {
      return Rejected{jose::to_reason(jose::VerifyErrc::too_large),
                      std::string(scheme_name),
                      {{"error", "invalid_token"},
                       {"error_description", std::string(jose::describe(jose::VerifyErrc::too_large))}}};
    }
    if (!client_) return Unavailable{Reason::introspection_unavailable};
    if (auto refused = rejections_.find(*credentials.token68, clock_->now())) return std::move(*refused);
    return std::nullopt;
  }

  net::FetchRequest request_for(std::string_view token) const {
    return {options_.url, true, detail::introspection_request_body(token), authorization_};
  }
  net::FetchLimits limits() const { return {options_.timeout, detail::max_introspection_response_bytes}; }

  Outcome conclude(std::string_view token, const net::FetchResult& response) const {
    if (!response) return unavailable(response.error().message());
    if (response->status != 200) return unavailable("HTTP " + std::to_string(response->status));
    Outcome outcome =
        detail::interpret_introspection(response->body, policy_, clock_->now(), options_.cache_ttl);
    if (std::holds_alternative<Unavailable>(outcome))
      return unavailable("the response is not an RFC 7662 answer");
    // Why cache refusals: the gateway caches only successes, so without this a client (or attacker)
    // repeating one inactive token would make every request a call to the authorization server. Short-
    // lived, because an answer can change (a token issued a moment ago on another server node).
    if (const auto* refused = std::get_if<Rejected>(&outcome))
      rejections_.insert(token, *refused, clock_->now());
    return outcome;
  }

  // Why: a broken endpoint is the server's problem, never the client's: 503 (RFC 7662 §2.2 gives no
  // verdict without a valid answer). Logged without the token or the client secret.
  Outcome unavailable(const std::string& why) const {
    if (log_limiter_.allow())
      spdlog::warn("introspection realm {}: {} ({})", options_.realm, why, options_.url);
    return Unavailable{Reason::introspection_unavailable};
  }

  IntrospectionOptions options_;
  std::shared_ptr<const Clock> clock_;
  std::string authorization_;  // "Basic …" of the client credentials: a secret
  detail::IntrospectionPolicy policy_;
  std::shared_ptr<const net::HttpClient> client_;
  mutable detail::RejectionCache rejections_;
  mutable LogLimiter log_limiter_;
  mutable std::atomic<std::size_t> in_flight_{0};
  std::uint64_t generation_ = next_generation.fetch_add(1, std::memory_order_relaxed);
};

}  // namespace

std::shared_ptr<const Scheme> make_introspection_scheme(IntrospectionOptions options,
                                                        std::shared_ptr<const Clock> clock) {
  return std::make_shared<const IntrospectionScheme>(std::move(options), std::move(clock));
}

}  // namespace authgate::schemes
