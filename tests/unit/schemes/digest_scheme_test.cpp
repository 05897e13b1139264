// The Digest scheme (RFC 7616) end to end, without the network: its challenges byte for byte, a client
// that answers them, and every way a response is refused (each with its exact Reason and status class),
// replays included.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "authgate/grammar/serialize.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/memory_state_store.hpp"

namespace authgate::schemes {
namespace {

using digest::Algorithm;
using digest::Qop;
using namespace std::chrono_literals;

constexpr std::string_view realm = "http-auth@example.org";
const std::string secret(32, 's');

class TestClock final : public Clock {
 public:
  explicit TestClock(std::chrono::system_clock::time_point t) : now_(t) {}
  std::chrono::system_clock::time_point now() const noexcept override { return now_.load(); }
  void advance(std::chrono::seconds by) { now_.store(now_.load() + by); }

 private:
  std::atomic<std::chrono::system_clock::time_point> now_;
};

std::string store_text() {
  std::string text;
  for (const auto& [user, password] :
       {std::pair{"Mufasa", "Circle Of Life"}, {"J\xC3\xA4s\xC3\xB8n Doe", "Secret"}}) {
    text += std::string(user) + ":" + std::string(realm) +
            ":SHA-256=" + digest::ha1(Algorithm::sha256, user, realm, password) +
            ",SHA-512-256=" + digest::ha1(Algorithm::sha512_256, user, realm, password) +
            ",MD5=" + digest::ha1(Algorithm::md5, user, realm, password) + "\n";
  }
  text += std::string("md5only:") + std::string(realm) + ":" +
          digest::ha1(Algorithm::md5, "md5only", realm, "pw") + "\n";
  return text;
}

/// What a client puts in one Authorization field; each member may be changed before render().
struct Answer {
  std::string username = "Mufasa";
  std::string password = "Circle Of Life";
  std::string realm_value{realm};
  std::string nonce, opaque;
  std::string uri = "/dir/index.html";
  std::string method = "GET";
  Algorithm algorithm = Algorithm::sha256;
  Qop qop = Qop::auth;
  std::string nc = "00000001";
  std::string cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  std::string body;
  bool userhash = false;
  bool send_opaque = true;

  std::string ha1() const {
    const std::string plain = digest::ha1(algorithm, username, realm_value, password);
    return digest::is_session(algorithm) ? digest::session_ha1(algorithm, plain, nonce, cnonce) : plain;
  }
  std::string response() const {
    const std::string ha2 = qop == Qop::auth
                                ? digest::ha2(algorithm, method, uri)
                                : digest::ha2_int(algorithm, method, uri, digest::hash_hex(algorithm, body));
    return digest::response(algorithm, ha1(), nonce, nc, cnonce, qop, ha2);
  }
  std::string render() const {
    const std::string name = userhash ? digest::userhash(algorithm, username, realm_value) : username;
    std::string field = "Digest username=\"" + name + "\", realm=\"" + realm_value + "\", uri=\"" + uri +
                        "\", algorithm=" + std::string(digest::to_string(algorithm)) + ", nonce=\"" + nonce +
                        "\", nc=" + nc + ", cnonce=\"" + cnonce +
                        "\", qop=" + std::string(digest::to_string(qop)) + ", response=\"" + response() +
                        "\"";
    if (send_opaque) field += ", opaque=\"" + opaque + "\"";
    if (userhash) field += ", userhash=true";
    return field;
  }
};

class DigestSchemeTest : public ::testing::Test {
 protected:
  DigestSchemeTest() { rebuild({}); }

  void rebuild(const std::function<void(DigestOptions&)>& edit, stores::MemoryStateLimits limits = {}) {
    DigestOptions options;
    options.realm = realm;
    options.algorithms = {Algorithm::sha256, Algorithm::sha512_256, Algorithm::sha256_sess, Algorithm::md5};
    options.qop_auth_int = true;
    options.userhash = true;
    options.nonce_lifetime = 300s;
    options.secret = secret;
    if (edit) edit(options);
    auto parsed = stores::parse_digest_store(store_text(), "users.htdigest", 1);
    ASSERT_TRUE(parsed.has_value());
    state_ = stores::make_memory_state_store(clock_, limits);
    scheme_ = make_digest_scheme(std::move(options), *parsed, state_);
  }

  std::vector<grammar::Challenge> challenges(bool stale = false) const {
    return scheme_->challenges(ChallengeContext{clock_->now(), stale});
  }

  /// An answer to a fresh challenge.
  Answer answer() const {
    const auto first = challenges().front();
    Answer a;
    for (const auto& p : first.params) {
      if (p.name == "nonce") a.nonce = p.value;
      if (p.name == "opaque") a.opaque = p.value;
    }
    return a;
  }

  Outcome verify(const std::string& field, std::string target = "/dir/index.html", std::string method = "GET",
                 std::optional<std::string> body = std::nullopt) const {
    auto credentials = grammar::parse_credentials(field);
    EXPECT_TRUE(credentials.has_value()) << field;
    body_ = std::move(body);
    target_ = std::move(target);
    method_ = std::move(method);
    const RequestFacts facts{method_,
                             target_,
                             "www.example.org",
                             "127.0.0.1",
                             false,
                             clock_->now(),
                             body_ ? std::optional<std::string_view>(*body_) : std::nullopt};
    return scheme_->authenticate(*credentials, facts);
  }
  Outcome verify(const Answer& a) const { return verify(a.render(), a.uri, a.method, a.body); }

  std::shared_ptr<TestClock> clock_ =
      std::make_shared<TestClock>(std::chrono::system_clock::time_point{1'800'000'000s});
  std::shared_ptr<stores::StateStore> state_;
  std::shared_ptr<const Scheme> scheme_;
  mutable std::optional<std::string> body_;
  mutable std::string target_, method_;
};

Reason reason_of(const Outcome& outcome) {
  if (const auto* r = std::get_if<Rejected>(&outcome)) return r->reason;
  if (const auto* m = std::get_if<Malformed>(&outcome)) return m->reason;
  if (const auto* u = std::get_if<Unavailable>(&outcome)) return u->reason;
  return Reason::ok;
}

bool says_stale(const Outcome& outcome) {
  const auto* r = std::get_if<Rejected>(&outcome);
  return r != nullptr && r->challenge_params == std::vector<grammar::AuthParam>{{"stale", "true"}};
}

TEST_F(DigestSchemeTest, OneChallengePerAlgorithmStrongestFirstSharingOneNonce) {
  const auto all = challenges();
  ASSERT_EQ(all.size(), 4u);
  const auto a = answer();
  const std::vector<std::string> names = {"SHA-256", "SHA-512-256", "SHA-256-sess", "MD5"};
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(grammar::to_field(all[i]),
              "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=" + names[i] +
                  ", nonce=\"" + all[0].params[3].value + "\", opaque=\"" + a.opaque +
                  "\", charset=\"UTF-8\", userhash=true")
        << "RFC 7616 §3.3: qop quoted in a challenge, algorithm bare; one nonce whichever the client picks";
  }
  EXPECT_EQ(all[0].params[3].value.size(), 43u);
  EXPECT_NE(challenges()[0].params[3].value, all[0].params[3].value) << "every 401 gets a new nonce";
  const auto stale = challenges(true);
  for (const auto& c : stale) EXPECT_EQ(grammar::to_field(c).find("stale=true") != std::string::npos, true);
  EXPECT_EQ(grammar::to_field(scheme_->challenge({clock_->now(), false})).find("algorithm=SHA-256,"), 60u)
      << "challenge() is the preferred one";
}

TEST_F(DigestSchemeTest, EveryAlgorithmAndQopTheRealmOffersGetsIn) {
  for (const auto algorithm :
       {Algorithm::sha256, Algorithm::sha512_256, Algorithm::sha256_sess, Algorithm::md5}) {
    for (const auto qop : {Qop::auth, Qop::auth_int}) {
      SCOPED_TRACE(std::string(digest::to_string(algorithm)) + " " + std::string(digest::to_string(qop)));
      auto a = answer();
      a.algorithm = algorithm;
      a.qop = qop;
      a.method = qop == Qop::auth_int ? "POST" : "GET";
      a.body = qop == Qop::auth_int ? "name=value&x=1" : "";
      const auto outcome = verify(a);
      ASSERT_TRUE(std::holds_alternative<Authenticated>(outcome)) << to_string(reason_of(outcome));
      const auto& ok = std::get<Authenticated>(outcome);
      EXPECT_EQ(ok.identity->user, "Mufasa");
      EXPECT_EQ(ok.identity->scheme, "Digest");
      if (qop == Qop::auth) {
        // RFC 7616 §3.5: rspauth is the response computed with an empty method.
        const std::string ha2 = digest::ha2(algorithm, "", a.uri);
        const std::string rspauth = digest::response(algorithm, a.ha1(), a.nonce, a.nc, a.cnonce, qop, ha2);
        EXPECT_EQ(ok.info,
                  (std::vector<grammar::AuthParam>{
                      {"qop", "auth"}, {"rspauth", rspauth}, {"cnonce", a.cnonce}, {"nc", "00000001"}}));
        EXPECT_EQ(grammar::to_field(ok.info),
                  "qop=auth, rspauth=\"" + rspauth + "\", cnonce=\"" + a.cnonce + "\", nc=00000001");
      } else {
        EXPECT_TRUE(ok.info.empty())
            << "auth-int rspauth would hash a response body that has not streamed yet";
      }
    }
  }
}

TEST_F(DigestSchemeTest, HashedAndEncodedUserNamesGetIn) {
  auto hashed = answer();
  hashed.userhash = true;
  EXPECT_TRUE(std::holds_alternative<Authenticated>(verify(hashed))) << "RFC 7616 §3.4.4";
  hashed.username = "Simba";
  hashed.nc = "00000002";
  EXPECT_EQ(reason_of(verify(hashed)), Reason::unknown_user);

  // RFC 7616 §3.4.4 / RFC 8187: a non-ASCII name travels as username*.
  auto a = answer();
  const std::string field = "Digest username*=UTF-8''J%C3%A4s%C3%B8n%20Doe, realm=\"" + std::string(realm) +
                            "\", uri=\"/dir/index.html\", algorithm=SHA-256, nonce=\"" + a.nonce +
                            "\", nc=00000001, cnonce=\"c\", qop=auth, opaque=\"" + a.opaque +
                            "\", response=\"";
  a.username = "J\xC3\xA4s\xC3\xB8n Doe";
  a.password = "Secret";
  a.cnonce = "c";
  const auto outcome = verify(field + a.response() + "\"");
  ASSERT_TRUE(std::holds_alternative<Authenticated>(outcome)) << to_string(reason_of(outcome));
  EXPECT_EQ(std::get<Authenticated>(outcome).identity->user, "J\xC3\xA4s\xC3\xB8n Doe");
}

struct RefusalCase {
  const char* name;
  std::function<void(Answer&)> edit;
  Reason reason;
  bool malformed;  // 400 rather than 401
  const char* why;
};

TEST_F(DigestSchemeTest, EveryRefusalHasItsReasonAndStatusClass) {
  const std::vector<RefusalCase> cases = {
      {"wrong password", [](Answer& a) { a.password = "Circle of life"; }, Reason::wrong_password, false, ""},
      {"unknown user", [](Answer& a) { a.username = "Scar"; }, Reason::unknown_user, false,
       "computed against the dummy HA1, so as slow as a wrong password"},
      {"user without an HA1 of the hash",
       [](Answer& a) {
         a.username = "md5only";
         a.password = "pw";
       },
       Reason::unsupported_hash, false, "the store has only MD5 for this user"},
      {"another realm", [](Answer& a) { a.realm_value = "other"; }, Reason::wrong_realm, false,
       "another realm of the route may hold these"},
      {"algorithm not offered", [](Answer& a) { a.algorithm = Algorithm::md5_sess; }, Reason::alg_not_allowed,
       false, "a fresh challenge names what is offered"},
      {"tampered nonce", [](Answer& a) { a.nonce[10] = a.nonce[10] == 'A' ? 'B' : 'A'; }, Reason::bad_nonce,
       false, "the MAC covers every bit"},
      {"nonce of another shape", [](Answer& a) { a.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093"; },
       Reason::bad_nonce, false, "not one of ours"},
      {"wrong opaque", [](Answer& a) { a.opaque = "5ccc069c403ebaf9f0171e9517f40e41"; }, Reason::bad_nonce,
       false, "opaque is echoed and checked"},
      {"no opaque", [](Answer& a) { a.send_opaque = false; }, Reason::bad_nonce, false, ""},
      {"uri names another resource", [](Answer& a) { a.uri = "/other"; }, Reason::uri_mismatch, true,
       "RFC 7616 §3.4.6: a header captured for one URI cannot open another"},
      {"nc of zero", [](Answer& a) { a.nc = "00000000"; }, Reason::malformed_header, true,
       "nc counts from 1"},
      {"nc not hex", [](Answer& a) { a.nc = "0000000g"; }, Reason::malformed_header, true, ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto a = answer();
    c.edit(a);
    const std::string target = a.uri;
    const auto outcome = verify(a.render(), c.reason == Reason::uri_mismatch ? "/dir/index.html" : target);
    EXPECT_EQ(reason_of(outcome), c.reason) << c.why;
    EXPECT_EQ(std::holds_alternative<Malformed>(outcome), c.malformed) << c.why;
    EXPECT_FALSE(says_stale(outcome)) << "stale=true only for a right response";
  }
}

TEST_F(DigestSchemeTest, QopAndAlgorithmsNotOfferedAreRefusedWithAFreshChallenge) {
  rebuild([](DigestOptions& o) {
    o.algorithms = {Algorithm::sha256};
    o.qop_auth_int = false;
    o.userhash = false;
  });
  auto a = answer();
  a.qop = Qop::auth_int;
  EXPECT_EQ(reason_of(verify(a.render(), a.uri, "GET", "")), Reason::alg_not_allowed);
  a = answer();
  a.algorithm = Algorithm::md5;
  EXPECT_EQ(reason_of(verify(a)), Reason::alg_not_allowed) << "MD5 only where a realm enables it";
  a = answer();
  a.userhash = true;
  EXPECT_EQ(reason_of(verify(a)), Reason::unknown_user) << "hashed names are not looked up when not offered";
  EXPECT_EQ(grammar::to_field(challenges().front()).find("userhash"), std::string::npos);
}

TEST_F(DigestSchemeTest, ANonceFromAnotherRealmOrSecretIsNotOurs) {
  const auto ours = answer();
  rebuild([](DigestOptions& o) { o.realm = "elsewhere"; });
  auto foreign = answer();
  rebuild({});
  foreign.realm_value = realm;
  foreign.opaque = ours.opaque;
  EXPECT_EQ(reason_of(verify(foreign)), Reason::bad_nonce) << "the MAC binds the realm";
  rebuild([](DigestOptions& o) { o.secret = std::string(32, 't'); });
  EXPECT_EQ(reason_of(verify(ours)), Reason::bad_nonce) << "another secret, another gateway";
}

TEST_F(DigestSchemeTest, AnExpiredNonceIsStaleOnlyUnderARightResponse) {
  auto a = answer();
  clock_->advance(301s);
  const auto stale = verify(a);
  EXPECT_EQ(reason_of(stale), Reason::stale_nonce);
  EXPECT_TRUE(says_stale(stale)) << "RFC 7616 §3.3: the client retries without asking its user";
  a.password = "wrong";
  EXPECT_EQ(reason_of(verify(a)), Reason::wrong_password)
      << "stale=true would tell a guesser nothing, but is wrong";
}

TEST_F(DigestSchemeTest, EachNonceCountIsAcceptedOnceAndMustRise) {
  auto a = answer();
  ASSERT_TRUE(std::holds_alternative<Authenticated>(verify(a)));
  const auto replay = verify(a);
  EXPECT_EQ(reason_of(replay), Reason::nonce_replayed) << "the same header, again";
  EXPECT_TRUE(says_stale(replay)) << "a client that knows the password goes on with a new nonce";
  a.nc = "00000003";
  EXPECT_TRUE(std::holds_alternative<Authenticated>(verify(a))) << "counts may skip";
  a.nc = "00000002";
  EXPECT_EQ(reason_of(verify(a)), Reason::nonce_replayed) << "but never go back";
  a.cnonce = "another";
  a.nc = "00000003";
  EXPECT_EQ(reason_of(verify(a)), Reason::nonce_replayed) << "a new cnonce does not reset the count";
}

TEST_F(DigestSchemeTest, ConcurrentCopiesOfOneHeaderGetInExactlyOnce) {
  const auto a = answer();
  const std::string field = a.render();
  std::atomic<int> in{0}, replayed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 50; ++j) {
        auto credentials = grammar::parse_credentials(field);
        const RequestFacts facts{"GET", "/dir/index.html", "www.example.org", "127.0.0.1",
                                 false, clock_->now(),     std::nullopt};
        const auto outcome = scheme_->authenticate(*credentials, facts);
        if (std::holds_alternative<Authenticated>(outcome)) ++in;
        if (reason_of(outcome) == Reason::nonce_replayed) ++replayed;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(in.load(), 1);
  EXPECT_EQ(replayed.load(), 399);
}

TEST_F(DigestSchemeTest, NextNonceComesInTheLastFifthOfANoncesLife) {
  auto a = answer();
  clock_->advance(239s);
  auto early = verify(a);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(early));
  EXPECT_EQ(std::get<Authenticated>(early).info.size(), 4u);
  clock_->advance(2s);
  a.nc = "00000002";
  auto late = verify(a);
  ASSERT_TRUE(std::holds_alternative<Authenticated>(late));
  const auto& info = std::get<Authenticated>(late).info;
  ASSERT_EQ(info.size(), 5u);
  EXPECT_EQ(info.back().name, "nextnonce");
  a.nonce = info.back().value;
  a.nc = "00000001";
  EXPECT_TRUE(std::holds_alternative<Authenticated>(verify(a))) << "the next nonce is a nonce like any other";
}

TEST_F(DigestSchemeTest, AStateStoreThatCannotKeepTheCountIsA5xxNeverA200) {
  rebuild({}, {.max_entries = 0});
  EXPECT_EQ(reason_of(verify(answer())), Reason::store_unavailable);
  EXPECT_TRUE(std::holds_alternative<Unavailable>(verify(answer())));
}

TEST_F(DigestSchemeTest, AuthIntWithoutABodyToHashIsMachineryNotA401) {
  auto a = answer();
  a.qop = Qop::auth_int;
  const auto outcome = verify(a.render(), a.uri, "GET", std::nullopt);
  EXPECT_TRUE(std::holds_alternative<Unavailable>(outcome))
      << "the gateway always reads an auth-int body first";
  a.body = "x";
  EXPECT_EQ(reason_of(verify(a.render(), a.uri, "GET", "y")), Reason::wrong_password) << "the body is hashed";
}

TEST_F(DigestSchemeTest, OtherSchemesAndBrokenCredentialsAreNotDigest) {
  EXPECT_EQ(reason_of(verify("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")), Reason::scheme_not_accepted);
  EXPECT_EQ(reason_of(verify("Digest dG9rZW42OA==")), Reason::malformed_header);
  EXPECT_EQ(reason_of(verify("Digest username=\"Mufasa\"")), Reason::malformed_header);
  EXPECT_FALSE(scheme_->is_cacheable()) << "a cached verification would accept its replay";
  EXPECT_EQ(scheme_->work(*grammar::parse_credentials("Digest username=\"x\"")), Work::pure)
      << "the in-memory state store answers inline, so nothing waits";
}

/// The in-memory store, presented as one that may answer later (a networked one): the scheme takes its
/// asynchronous path and says it waits.
class LaterStateStore final : public stores::StateStore {
 public:
  explicit LaterStateStore(std::shared_ptr<stores::StateStore> inner) : inner_(std::move(inner)) {}
  void add_failure(std::string_view k, Duration w, Callback<stores::FailureWindow> d) override {
    inner_->add_failure(k, w, std::move(d));
  }
  void failures(std::string_view k, Callback<stores::FailureWindow> d) override {
    inner_->failures(k, std::move(d));
  }
  void clear_failures(std::string_view k, Callback<void> d) override {
    inner_->clear_failures(k, std::move(d));
  }
  void issue_nonce(std::string_view n, Duration t, Callback<void> d) override {
    // Called back from another thread, as a networked store would.
    std::thread([this, n = std::string(n), t, d = std::move(d)] { inner_->issue_nonce(n, t, d); }).join();
  }
  void use_nonce(std::string_view n, std::uint32_t nc, Callback<stores::NonceUse> d) override {
    std::thread([this, n = std::string(n), nc, d = std::move(d)] { inner_->use_nonce(n, nc, d); }).join();
  }
  void deny(std::string_view k, Duration t, Callback<void> d) override { inner_->deny(k, t, std::move(d)); }
  void is_denied(std::string_view k, Callback<bool> d) override { inner_->is_denied(k, std::move(d)); }
  bool denied_locally(std::string_view k) const noexcept override { return inner_->denied_locally(k); }
  bool has_local_denies() const noexcept override { return inner_->has_local_denies(); }

 private:
  std::shared_ptr<stores::StateStore> inner_;
};

TEST_F(DigestSchemeTest, AStoreThatAnswersLaterIsWaitedForAndStillCountsEachNcOnce) {
  auto later = std::make_shared<LaterStateStore>(stores::make_memory_state_store(clock_));
  DigestOptions options;
  options.realm = realm;
  options.secret = secret;
  scheme_ =
      make_digest_scheme(options, *stores::parse_digest_store(store_text(), "users.htdigest", 1), later);
  EXPECT_EQ(scheme_->work(*grammar::parse_credentials("Digest username=\"x\"")), Work::waits);
  const auto a = answer();
  EXPECT_TRUE(std::holds_alternative<Authenticated>(verify(a)));
  EXPECT_EQ(reason_of(verify(a)), Reason::nonce_replayed);
}

}  // namespace
}  // namespace authgate::schemes
