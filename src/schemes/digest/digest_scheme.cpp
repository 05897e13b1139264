// The Digest scheme (RFC 7616): stateless nonces, the response checked against the stored HA1 (the
// store's dummy for unknown users, so both cost the same), then the nonce count recorded once in the
// StateStore, which is what stops a captured header from being replayed.
#include <openssl/crypto.h>

#include <array>
#include <future>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <utility>
#include <variant>

#include <boost/asio/any_io_executor.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/schemes/identity_fields.hpp"
#include "authgate/stores/same_bytes.hpp"
#include "schemes/digest/digest_credentials.hpp"
#include "schemes/digest/digest_nonce.hpp"
#include "schemes/digest/digest_uri.hpp"

namespace authgate::schemes {
namespace {

using digest::Algorithm;
using digest::Qop;
using std::chrono::system_clock;

constexpr std::string_view scheme_name = "Digest";

/// A response that verified; what is left is recording its nonce count.
struct Verified {
  std::string nonce;
  std::uint32_t nc = 0;
  stores::StateStore::Duration ttl{};
  Authenticated authenticated;
};

using Checked = std::variant<Outcome, Verified>;

Outcome rejected(Reason why, std::vector<grammar::AuthParam> params = {}) {
  return Rejected{why, std::string(scheme_name), std::move(params)};
}

class DigestScheme final : public Scheme {
 public:
  DigestScheme(DigestOptions options, std::shared_ptr<const stores::DigestStore> store,
               std::shared_ptr<stores::StateStore> state, std::shared_ptr<const stores::GroupsByUser> groups)
      : options_(std::move(options)),
        store_(std::move(store)),
        state_(std::move(state)),
        groups_(std::move(groups)),
        nonces_(options_.secret, options_.realm, options_.nonce_lifetime) {
    if (options_.algorithms.empty()) throw std::invalid_argument("digest: no algorithm");
    if (!options_.qop_auth && !options_.qop_auth_int) throw std::invalid_argument("digest: no qop");
    if (store_ == nullptr || state_ == nullptr) throw std::invalid_argument("digest: no store");
    OPENSSL_cleanse(options_.secret.data(), options_.secret.size());
    options_.secret.clear();
    qop_options_ = options_.qop_auth ? "auth" : "";
    if (options_.qop_auth_int) qop_options_ += options_.qop_auth ? ", auth-int" : "auth-int";
    if (options_.userhash) index_userhashes();
  }

  std::string_view name() const noexcept override { return scheme_name; }

  std::string claimed_user(const grammar::Credentials& credentials) const override {
    auto parsed = digest::parse_digest_credentials(credentials);
    return parsed ? std::move(parsed->username) : std::string();
  }

  grammar::Challenge challenge(const ChallengeContext& context) const override {
    return challenges(context).front();
  }

  bool challenges_vary() const noexcept override { return true; }  // a fresh nonce in every 401

  std::vector<grammar::Challenge> challenges(const ChallengeContext& context) const override {
    // One nonce for the whole 401: whichever algorithm the client picks, it answers this nonce.
    const std::string nonce = nonces_.issue(context.now);
    std::vector<grammar::Challenge> out;
    out.reserve(options_.algorithms.size());
    for (const Algorithm algorithm : options_.algorithms) {
      grammar::Challenge c{std::string(scheme_name), std::nullopt, {}};
      c.params.push_back({"realm", options_.realm});
      c.params.push_back({"qop", qop_options_});
      c.params.push_back({"algorithm", std::string(digest::to_string(algorithm))});
      c.params.push_back({"nonce", nonce});
      c.params.push_back({"opaque", nonces_.opaque()});
      if (context.stale) c.params.push_back({"stale", "true"});
      c.params.push_back({"charset", "UTF-8"});  // RFC 7616 §3.3: user names and passwords are UTF-8
      if (options_.userhash) c.params.push_back({"userhash", "true"});
      out.push_back(std::move(c));
    }
    return out;
  }

  // Inline when the state store answers inline (the in-memory one): then nothing here waits.
  Work work(const grammar::Credentials&) const noexcept override {
    return state_->completes_inline() ? Work::pure : Work::waits;
  }

  // Every request carries a one-time response: caching a verification would accept its replay.
  bool is_cacheable() const noexcept override { return false; }

  Outcome authenticate(const grammar::Credentials& credentials, const RequestFacts& request) const override {
    auto checked = check(credentials, request);
    if (auto* outcome = std::get_if<Outcome>(&checked)) return std::move(*outcome);
    auto& verified = std::get<Verified>(checked);
    if (state_->completes_inline()) return record_inline(verified);
    // For callers without an executor (the library): a store that completes later is waited for here.
    std::promise<Outcome> promise;
    auto future = promise.get_future();
    record_async(std::make_shared<Verified>(std::move(verified)),
                 [&promise](Outcome outcome) { promise.set_value(std::move(outcome)); });
    return future.get();
  }

  // `done` is by value to match the interface, whose overriders may keep it.
  void authenticate_async(const grammar::Credentials& credentials, const RequestFacts& request,
                          const boost::asio::any_io_executor&,
                          Completion done) const override {  // NOLINT(performance-unnecessary-value-param)
    auto checked = check(credentials, request);
    if (auto* outcome = std::get_if<Outcome>(&checked)) {
      done(std::move(*outcome));
    } else if (state_->completes_inline()) {
      done(record_inline(std::get<Verified>(checked)));
    } else {
      record_async(std::make_shared<Verified>(std::move(std::get<Verified>(checked))), done);
    }
  }

  std::uint64_t generation() const noexcept override { return store_->generation(); }

 private:
  /// What the state store's answer about the nonce count makes of a verified response.
  static Outcome outcome_of(stores::NonceUse use, Authenticated authenticated) {
    switch (use) {
      case stores::NonceUse::fresh:
        return authenticated;
      case stores::NonceUse::replayed:
        // A replay, or requests reordered: either way this nonce count is spent. stale=true lets a client
        // that knows the password go on with a new nonce without asking its user again.
        return rejected(Reason::nonce_replayed, {{"stale", "true"}});
      case stores::NonceUse::unknown_or_expired:
        break;
    }
    return rejected(Reason::stale_nonce, {{"stale", "true"}});
  }

  /// Records the nonce count in a store that answers inline: no callback outlives this call.
  Outcome record_inline(Verified& verified) const {
    std::optional<stores::StateResult<void>> issued;
    // Made known only now, after the response verified: a flood of bad credentials creates no state.
    state_->issue_nonce(verified.nonce, verified.ttl,
                        [&issued](const stores::StateResult<void>& result) { issued = result; });
    if (!issued || !*issued) return Unavailable{Reason::store_unavailable};
    std::optional<stores::StateResult<stores::NonceUse>> use;
    state_->use_nonce(verified.nonce, verified.nc,
                      [&use](const stores::StateResult<stores::NonceUse>& result) { use = result; });
    if (!use || !*use) return Unavailable{Reason::store_unavailable};
    return outcome_of(**use, std::move(verified.authenticated));
  }

  /// The same with a store that may answer later, from another thread.
  void record_async(const std::shared_ptr<Verified>& verified, const Completion& done) const {
    state_->issue_nonce(
        verified->nonce, verified->ttl, [this, verified, done](const stores::StateResult<void>& issued) {
          if (!issued) {
            done(Unavailable{Reason::store_unavailable});
            return;
          }
          state_->use_nonce(verified->nonce, verified->nc,
                            [verified, done](const stores::StateResult<stores::NonceUse>& use) {
                              if (!use) {
                                done(Unavailable{Reason::store_unavailable});
                                return;
                              }
                              done(outcome_of(*use, std::move(verified->authenticated)));
                            });
        });
  }

  /// Everything that needs no state: syntax, realm, offer, uri, nonce MAC, and the response itself.
  Checked check(const grammar::Credentials& credentials, const RequestFacts& request) const {
    if (!grammar::iequals(credentials.scheme, scheme_name)) return rejected(Reason::scheme_not_accepted);
    auto parsed = digest::parse_digest_credentials(credentials);
    if (!parsed) return malformed(parsed.error());
    const digest::DigestCredentials& c = *parsed;
    // Another realm's credentials: another realm of this route may hold them.
    if (c.realm != options_.realm) return rejected(Reason::wrong_realm);
    if (!offers(c.algorithm) || !offers(c.qop)) return rejected(Reason::alg_not_allowed);
    if (!digest::uri_names_target(c.uri, request.target, request.host, request.secure))
      return malformed(Reason::uri_mismatch);
    if (c.qop == Qop::auth_int && !request.body) return Outcome{Unavailable{Reason::internal_error}};
    if (!c.opaque || !stores::same_bytes(*c.opaque, nonces_.opaque())) return rejected(Reason::bad_nonce);
    const digest::NonceCheck nonce = nonces_.check(c.nonce, request.now);
    if (nonce.state == digest::NonceState::invalid) return rejected(Reason::bad_nonce);

    const stores::DigestRecord* record = find(c);
    const stores::DigestHash family = stored_hash_of(c.algorithm);
    const bool known = record != nullptr && !record->ha1_hex(family).empty();
    // No user enumeration by timing: an unknown user is answered after the same hashes against the
    // dummy record, whose HA1s are random, so it never matches.
    const std::string_view stored = (known ? *record : store_->dummy()).ha1_hex(family);
    std::string ha1 = digest::is_session(c.algorithm)
                          ? digest::session_ha1(c.algorithm, stored, c.nonce, c.cnonce)
                          : std::string(stored);
    std::string body_hash;
    if (c.qop == Qop::auth_int) body_hash = digest::hash_hex(c.algorithm, *request.body);
    const std::string ha2 = c.qop == Qop::auth
                                ? digest::ha2(c.algorithm, request.method, c.uri)
                                : digest::ha2_int(c.algorithm, request.method, c.uri, body_hash);
    const std::string expected = digest::response(c.algorithm, ha1, c.nonce, c.nc_text, c.cnonce, c.qop, ha2);
    if (expected.empty()) {
      OPENSSL_cleanse(ha1.data(), ha1.size());
      return Outcome{Unavailable{Reason::internal_error}};
    }
    const bool match = digest::same_digest(expected, c.response);
    if (!match || !known) {
      OPENSSL_cleanse(ha1.data(), ha1.size());
      if (known) return rejected(Reason::wrong_password);
      // A user without an HA1 of this hash (authgate check refuses such a realm): as unknown, in time too.
      return rejected(record == nullptr ? Reason::unknown_user : Reason::unsupported_hash);
    }
    // RFC 7616 §3.3: stale=true only for a nonce that expired under a response that is otherwise right.
    if (nonce.state == digest::NonceState::stale) {
      OPENSSL_cleanse(ha1.data(), ha1.size());
      return rejected(Reason::stale_nonce, {{"stale", "true"}});
    }

    Identity identity{record->user, groups_of(record->user), std::string(scheme_name), {}, {}};
    if (identity_field_problem(identity)) {
      OPENSSL_cleanse(ha1.data(), ha1.size());
      return rejected(Reason::unsafe_identity);
    }
    Verified verified{c.nonce, c.nc,
                      std::chrono::duration_cast<stores::StateStore::Duration>(nonce.expires - request.now),
                      Authenticated{std::move(identity)}};
    if (verified.ttl <= stores::StateStore::Duration::zero()) verified.ttl = stores::StateStore::Duration{1};
    verified.authenticated.info = info(c, ha1, nonce.expires, request.now);
    OPENSSL_cleanse(ha1.data(), ha1.size());
    return verified;
  }

  /// Authentication-Info (RFC 7616 §3.5): rspauth proves the server knows HA1 too. For auth-int it would
  /// hash the response body, which streams after this point, so only nextnonce is sent then.
  std::vector<grammar::AuthParam> info(const digest::DigestCredentials& c, std::string_view ha1,
                                       system_clock::time_point expires, system_clock::time_point now) const {
    std::vector<grammar::AuthParam> params;
    if (c.qop == Qop::auth) {
      const std::string ha2 = digest::ha2(c.algorithm, "", c.uri);
      params.push_back({"qop", "auth"});
      params.push_back(
          {"rspauth", digest::response(c.algorithm, ha1, c.nonce, c.nc_text, c.cnonce, c.qop, ha2)});
      params.push_back({"cnonce", c.cnonce});
      params.push_back({"nc", c.nc_text});
    }
    // In the last fifth of the nonce's life, offer the next one so the client need not meet a 401.
    if (expires - now <= std::chrono::duration_cast<system_clock::duration>(nonces_.lifetime()) / 5) {
      params.push_back({"nextnonce", nonces_.issue(now)});
    }
    return params;
  }

  const stores::DigestRecord* find(const digest::DigestCredentials& c) const {
    if (!c.userhash) return store_->find(c.username, options_.realm);
    if (!options_.userhash) return nullptr;  // not offered: hashed names are not looked up
    const auto& index = userhashes_[static_cast<std::size_t>(stored_hash_of(c.algorithm))];
    const auto it = index.find(c.username);
    return it == index.end() ? nullptr : it->second;
  }

  std::vector<std::string> groups_of(const std::string& user) const {
    if (groups_ == nullptr) return {};
    const auto it = groups_->find(user);
    return it == groups_->end() ? std::vector<std::string>{} : it->second;
  }

  bool offers(Algorithm algorithm) const noexcept {
    for (const Algorithm offered : options_.algorithms) {
      if (offered == algorithm) return true;
    }
    return false;
  }

  bool offers(Qop qop) const noexcept { return qop == Qop::auth ? options_.qop_auth : options_.qop_auth_int; }

  /// RFC 7616 §3.4.4: H(user ":" realm) → record, for each hash family this realm offers.
  void index_userhashes() {
    for (const Algorithm algorithm : options_.algorithms) {
      const auto family = stored_hash_of(algorithm);
      auto& index = userhashes_[static_cast<std::size_t>(family)];
      if (!index.empty()) continue;
      for (const auto& record : store_->records()) {
        if (record.realm != options_.realm || record.ha1_hex(family).empty()) continue;
        index.emplace(digest::userhash(algorithm, record.user, record.realm), &record);
      }
    }
  }

  DigestOptions options_;
  std::shared_ptr<const stores::DigestStore> store_;
  std::shared_ptr<stores::StateStore> state_;
  std::shared_ptr<const stores::GroupsByUser> groups_;
  digest::NonceAuthority nonces_;
  std::string qop_options_;  // "auth", "auth-int" or "auth, auth-int"
  std::array<std::unordered_map<std::string, const stores::DigestRecord*>, 3> userhashes_;
};

}  // namespace

stores::DigestHash stored_hash_of(digest::Algorithm algorithm) noexcept {
  using digest::Algorithm;
  switch (algorithm) {
    case Algorithm::md5:
    case Algorithm::md5_sess:
      return stores::DigestHash::md5;
    case Algorithm::sha256:
    case Algorithm::sha256_sess:
      return stores::DigestHash::sha256;
    case Algorithm::sha512_256:
    case Algorithm::sha512_256_sess:
      return stores::DigestHash::sha512_256;
  }
  return stores::DigestHash::sha256;
}

std::shared_ptr<const Scheme> make_digest_scheme(DigestOptions options,
                                                 std::shared_ptr<const stores::DigestStore> store,
                                                 std::shared_ptr<stores::StateStore> state,
                                                 std::shared_ptr<const stores::GroupsByUser> groups) {
  return std::make_shared<const DigestScheme>(std::move(options), std::move(store), std::move(state),
                                              std::move(groups));
}

}  // namespace authgate::schemes
