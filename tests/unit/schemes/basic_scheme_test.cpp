// The Basic scheme (RFC 7617) against an in-memory htpasswd store.
#include "authgate/schemes/basic.hpp"

#include <gtest/gtest.h>

#include "authgate/grammar/base64.hpp"
#include "authgate/grammar/serialize.hpp"
#include "authgate/stores/htpasswd.hpp"

namespace authgate::schemes {
namespace {

using stores::HashKind;

// From tests/data/stores/apache.htpasswd (made by Apache's htpasswd).
const std::string bcrypt4 = "$2y$04$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW";  // "bcrypt4-pw"
const std::string juergen = "$2y$04$iRsBny6F0A40rS7arjaDRuriz8c/o2diXAq0egeE6ZvfDzzc9YhRC";  // "pässwörd-€"
const std::string colon = "$apr1$a/jSzu1D$zFn25QY/b0j1RI1u7UiKA/";                           // "a:b c"

std::string bcrypt(std::string_view password) { return *stores::hash_bcrypt(password, 4); }

std::shared_ptr<const stores::PasswordStore> make_store() {
  const std::string users = "alice:" + bcrypt4 + "\njürgen:" + juergen + "\ncolon:" + colon +
                            "\nAladdin:" + bcrypt("open sesame") + "\ntest:" + bcrypt("123\xC2\xA3") +
                            "\nempty:" + bcrypt("") + "\nplain:plain-pw\n";
  auto store = stores::parse_htpasswd(users, "users", "admins: alice\nstaff: alice jürgen\n", "groups", 9);
  EXPECT_TRUE(store.has_value()) << store.error().to_string();
  return *store;
}

grammar::Credentials basic(std::string_view user_pass, std::string scheme = "Basic") {
  return grammar::Credentials{std::move(scheme), grammar::encode_base64(user_pass), {}};
}

grammar::Credentials raw(std::optional<std::string> token68, std::vector<grammar::AuthParam> params = {}) {
  return grammar::Credentials{"Basic", std::move(token68), std::move(params)};
}

/// "Authenticated alice", "Rejected wrong_password", "Malformed bad_base64", "Unavailable store_unavailable".
std::string describe(const Outcome& outcome) {
  if (const auto* a = std::get_if<Authenticated>(&outcome)) return "Authenticated " + a->identity->user;
  if (const auto* r = std::get_if<Rejected>(&outcome)) return "Rejected " + std::string(to_string(r->reason));
  if (const auto* m = std::get_if<Malformed>(&outcome))
    return "Malformed " + std::string(to_string(m->reason));
  if (const auto* u = std::get_if<Unavailable>(&outcome))
    return "Unavailable " + std::string(to_string(u->reason));
  return "other";
}

class BasicScheme : public ::testing::Test {
 protected:
  std::shared_ptr<const stores::PasswordStore> store_ = make_store();
  std::shared_ptr<const Scheme> scheme_ = make_basic_scheme({"WallyWorld", false, {}}, store_);
  std::shared_ptr<const Scheme> weak_scheme_ = make_basic_scheme({"WallyWorld", true, {}}, store_);
  RequestFacts facts_{};
};

TEST_F(BasicScheme, JudgesEachCredentialsAsRfc7617Says) {
  struct Case {
    const char* name;
    grammar::Credentials credentials;
    std::string expected;
    const char* why;
  };
  const Case cases[] = {
      {"RFC 7617 §2 example", raw("QWxhZGRpbjpvcGVuIHNlc2FtZQ=="), "Authenticated Aladdin",
       "the RFC's own bytes"},
      {"RFC 7617 §2.1 UTF-8 example", raw("dGVzdDoxMjPCow=="), "Authenticated test", "'123£' in UTF-8"},
      {"right password", basic("alice:bcrypt4-pw"), "Authenticated alice", ""},
      {"wrong password", basic("alice:bcrypt4-px"), "Rejected wrong_password", ""},
      {"unknown user", basic("mallory:bcrypt4-pw"), "Rejected unknown_user", "after a dummy verification"},
      {"user-ids are case-sensitive", basic("Alice:bcrypt4-pw"), "Rejected unknown_user", "bytes, not names"},
      {"no token68", raw(std::nullopt), "Malformed malformed_header", "RFC 7617 §2: Basic takes token68"},
      {"auth-params instead of token68", raw(std::nullopt, {{"user", "alice"}}), "Malformed malformed_header",
       "not the Basic syntax"},
      {"missing padding", raw("QWxhZGRpbjpvcGVuIHNlc2FtZQ"), "Malformed bad_base64", "strict RFC 4648 §4"},
      {"base64url alphabet", raw("YWxpY2U6Pz8-"), "Malformed bad_base64", "'-' is not base64"},
      {"non-zero pad bits", raw("QWxhZGRpbjpvcGVuIHNlc2FtZR=="), "Malformed bad_base64", "not canonical"},
      {"no colon", basic("alice"), "Malformed missing_colon", "RFC 7617 §2 user-pass needs ':'"},
      {"empty decoded", raw("===="), "Malformed bad_base64", "padding only"},
      {"colon in password", basic("colon:a:b c"), "Authenticated colon", "user-id ends at the FIRST colon"},
      {"empty user", basic(":bcrypt4-pw"), "Rejected unknown_user", "no store has an empty user"},
      {"empty password, right", basic("empty:"), "Authenticated empty", "an empty password is a password"},
      {"empty password, wrong", basic("alice:"), "Rejected wrong_password", ""},
      {"UTF-8 user and password", basic("jürgen:pässwörd-€"), "Authenticated jürgen", "bytes passed as is"},
      {"Latin-1 user", basic("j\xFCrgen:p\xE4sswörd-€"), "Rejected unknown_user", "no transcoding guesses"},
      {"control character in user",
       basic("ali\x01"
             "ce:bcrypt4-pw"),
       "Malformed bad_user_id", "RFC 7617 §2"},
      {"DEL in password", basic("alice:bcrypt4-pw\x7f"), "Malformed bad_user_id", "DEL is a CTL"},
      {"NUL in password", basic(std::string_view("alice:bcrypt4-pw\0x", 18)), "Malformed bad_user_id",
       "would truncate in crypt(3)"},
      {"TAB in password", basic("alice:bcrypt\t4-pw"), "Malformed bad_user_id", "HTAB is a CTL too"},
      {"lower-case scheme", basic("alice:bcrypt4-pw", "basic"), "Authenticated alice",
       "RFC 9110 §11.1 scheme names are case-insensitive"},
      {"weak hash refused", basic("plain:plain-pw"), "Rejected unsupported_hash",
       "plaintext needs an opt-in"},
      {"another scheme", basic("alice:bcrypt4-pw", "Bearer"), "Rejected scheme_not_accepted", "not ours"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(describe(scheme_->authenticate(c.credentials, facts_)), c.expected) << c.name << " — " << c.why;
  }
}

TEST_F(BasicScheme, WeakHashVerifiesWhenTheRealmOptsIn) {
  EXPECT_EQ(describe(weak_scheme_->authenticate(basic("plain:plain-pw"), facts_)), "Authenticated plain");
  EXPECT_EQ(describe(weak_scheme_->authenticate(basic("plain:plain-px"), facts_)), "Rejected wrong_password");
}

TEST_F(BasicScheme, IdentityCarriesUserGroupsAndScheme) {
  const auto outcome = scheme_->authenticate(basic("alice:bcrypt4-pw"), facts_);
  const auto* authenticated = std::get_if<Authenticated>(&outcome);
  ASSERT_NE(authenticated, nullptr);
  EXPECT_EQ(authenticated->identity->user, "alice");
  EXPECT_EQ(authenticated->identity->groups, (std::vector<std::string>{"admins", "staff"}));
  EXPECT_EQ(authenticated->identity->scheme, "Basic");
  EXPECT_FALSE(authenticated->not_after.has_value()) << "the cache TTL bounds it, not the scheme";
}

TEST_F(BasicScheme, RejectionsAndMalformedCarryNoChallengeParams) {
  for (const auto& credentials :
       {basic("alice:x"), basic("nobody:x"), basic("plain:plain-pw"), basic("alice")}) {
    const auto outcome = scheme_->authenticate(credentials, facts_);
    if (const auto* r = std::get_if<Rejected>(&outcome)) {
      EXPECT_TRUE(r->challenge_params.empty());
      EXPECT_EQ(r->scheme, "Basic");
    } else {
      const auto* m = std::get_if<Malformed>(&outcome);
      ASSERT_NE(m, nullptr);
      EXPECT_TRUE(m->challenge_params.empty());
    }
  }
}

TEST_F(BasicScheme, UnknownUserTakesAsLongAsWrongPassword) {
  // Assert on cost, not on time: each path runs exactly one bcrypt at the store's cost.
  ASSERT_EQ(stores::cost_prefix(store_->dummy_hash()), stores::cost_prefix(bcrypt4));
  const auto count = [] { return stores::hash_computations(HashKind::bcrypt); };
  auto before = count();
  scheme_->authenticate(basic("alice:wrong"), facts_);
  EXPECT_EQ(count(), before + 1) << "wrong password: one bcrypt";
  before = count();
  scheme_->authenticate(basic("mallory:wrong"), facts_);
  EXPECT_EQ(count(), before + 1) << "unknown user: one bcrypt of the same cost";
  before = count();
  scheme_->authenticate(basic("plain:plain-pw"), facts_);
  EXPECT_EQ(count(), before + 1) << "refused plaintext: one bcrypt too";
  before = count();
  scheme_->authenticate(basic("alice"), facts_);
  EXPECT_EQ(count(), before) << "malformed credentials cost nothing";
}

TEST_F(BasicScheme, ChallengeHasRealmAndUtf8Charset) {
  const auto challenge = scheme_->challenge({});
  EXPECT_EQ(grammar::to_field(challenge), "Basic realm=\"WallyWorld\", charset=\"UTF-8\"");
  EXPECT_EQ(scheme_->name(), "Basic");
}

TEST_F(BasicScheme, ExpensiveWhenACostlyHashRunsOrARefusalMayWait) {
  EXPECT_EQ(scheme_->work(basic("alice:x")), Work::hashing);
  EXPECT_EQ(scheme_->work(basic("nobody:x")), Work::hashing) << "the dummy bcrypt";
  EXPECT_EQ(scheme_->work(basic("plain:x")), Work::hashing) << "refused, so the dummy runs";
  EXPECT_EQ(weak_scheme_->work(basic("plain:x")), Work::hashing)
      << "a plaintext compare, but a wrong one waits out the failure floor (issue 11 F6)";
  EXPECT_EQ(scheme_->work(raw("!!!!")), Work::pure) << "malformed: no hash at all";
  EXPECT_TRUE(scheme_->is_cacheable());
}

TEST_F(BasicScheme, GenerationIsTheStores) { EXPECT_EQ(scheme_->generation(), 9u); }

/// A store whose only entry passed no validation: the machinery is broken, not the user.
class BrokenStore final : public stores::PasswordStore {
 public:
  const stores::UserRecord* find(std::string_view user) const noexcept override {
    return user == "alice" ? &record_ : nullptr;
  }
  std::vector<std::string> groups_of(std::string_view) const override { return {}; }
  std::string_view dummy_hash() const noexcept override { return "$2y$04$short"; }
  std::uint64_t generation() const noexcept override { return 1; }

 private:
  stores::UserRecord record_{"alice", "$2y$04$short", HashKind::bcrypt, 1};
};

TEST(BasicSchemeStore, UnusableStoredHashIsUnavailableNeverUnauthorized) {
  const auto scheme = make_basic_scheme({"r", false, {}}, std::make_shared<BrokenStore>());
  EXPECT_EQ(describe(scheme->authenticate(basic("alice:x"), {})), "Unavailable store_unavailable");
}

TEST(BasicUserPass, SplitsAtTheFirstColon) {
  BasicUserPass user_pass;
  ASSERT_EQ(decode_basic_credentials(basic("a:b:c"), user_pass), Reason::ok);
  EXPECT_EQ(user_pass.user(), "a");
  EXPECT_EQ(user_pass.password(), "b:c");
  ASSERT_EQ(decode_basic_credentials(basic("x"), user_pass), Reason::missing_colon);
  EXPECT_EQ(user_pass.user(), "") << "a failed decode exposes nothing";
  EXPECT_EQ(user_pass.password(), "");
  ASSERT_EQ(decode_basic_credentials(basic("a\x01:b"), user_pass), Reason::bad_user_id);
  EXPECT_EQ(user_pass.password(), "");
}

/// A store whose one user, alice, belongs to the groups the test gives: what any PasswordStore may say.
class GroupsStore final : public stores::PasswordStore {
 public:
  GroupsStore(std::string user, std::vector<std::string> groups)
      : record_{std::move(user), bcrypt4, HashKind::bcrypt, 1}, groups_(std::move(groups)) {}
  const stores::UserRecord* find(std::string_view user) const noexcept override {
    return user == record_.user ? &record_ : nullptr;
  }
  std::vector<std::string> groups_of(std::string_view) const override { return groups_; }
  std::string_view dummy_hash() const noexcept override { return bcrypt4; }
  std::uint64_t generation() const noexcept override { return 1; }

 private:
  stores::UserRecord record_;
  std::vector<std::string> groups_;
};

// Issue 11 F2/F4: the identity goes into X-Auth-User / X-Auth-Groups; a name no field value may carry,
// or a group with the list separator, is refused whatever store said it, never written.
TEST(BasicSchemeStore, IdentityThatNoHeaderMayCarryIsRefused) {
  struct Case {
    const char* name;
    std::string user;
    std::vector<std::string> groups;
    const char* expected;
  } cases[] = {
      {"plain names pass", "alice", {"admins", "staff"}, "Authenticated alice"},
      {"a comma in a group forges a second group", "alice", {"users,admins"}, "Rejected unsafe_identity"},
      {"CR LF in a group adds a header field",
       "alice",
       {"users\r\nX-Auth-User: root"},
       "Rejected unsafe_identity"},
      {"an empty group is no group", "alice", {""}, "Rejected unsafe_identity"},
      {"a space at a group's end is stripped by the upstream",
       "alice",
       {"admins "},
       "Rejected unsafe_identity"},
      {"a user ending in a space is stripped by the upstream", "alice ", {}, "Rejected unsafe_identity"},
      {"UTF-8 names pass byte for byte",
       "j\xC3\xBCrgen",
       {"\xE6\x97\xA5\xE6\x9C\xAC"},
       "Authenticated j\xC3\xBCrgen"},
  };
  for (const auto& c : cases) {
    const auto scheme = make_basic_scheme({"r", false, {}}, std::make_shared<GroupsStore>(c.user, c.groups));
    EXPECT_EQ(describe(scheme->authenticate(basic(c.user + ":bcrypt4-pw"), {})), c.expected) << c.name;
  }
}

// Issue 11 F6: with bcrypt cost 4 for most users and one dearer entry, an unknown user is modelled on the
// dearer one, and a wrong password for a cheaper user waits until a dummy verification would have ended.
TEST(BasicSchemeFailureFloor, WrongPasswordForACheaperHashWaitsOutTheDummy) {
  const std::string users = "cheap:" + bcrypt4 + "\ndear:" + *stores::hash_bcrypt("dear-pw", 9) + "\n";
  auto store = stores::parse_htpasswd(users, "users", "", "groups", 1);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  EXPECT_EQ(stores::cost_prefix((*store)->dummy_hash()), "$2y$09$") << "the dearest entry is the model";
  std::vector<std::chrono::nanoseconds> pauses;
  const auto scheme =
      make_basic_scheme({"r", false, [&](std::chrono::nanoseconds wait) { pauses.push_back(wait); }}, *store);

  EXPECT_EQ(scheme->work(basic("cheap:x")), Work::hashing) << "any refusal may wait: only on a worker";
  EXPECT_EQ(describe(scheme->authenticate(basic("cheap:wrong"), {})), "Rejected wrong_password");
  ASSERT_EQ(pauses.size(), 1u) << "a cheaper hash is padded";
  EXPECT_GT(pauses[0], std::chrono::microseconds(100)) << "up to about one cost-9 verification";

  EXPECT_EQ(describe(scheme->authenticate(basic("dear:wrong"), {})), "Rejected wrong_password");
  EXPECT_EQ(describe(scheme->authenticate(basic("nobody:wrong"), {})), "Rejected unknown_user");
  EXPECT_EQ(describe(scheme->authenticate(basic("cheap:bcrypt4-pw"), {})), "Authenticated cheap");
  EXPECT_EQ(pauses.size(), 1u) << "the dummy's own class, unknown users and successes do not wait";
}

TEST(BasicSchemeFailureFloor, AStoreOfCheapHashesIsNotPadded) {
  auto store = stores::parse_htpasswd("a:{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=\n", "users", "", "groups", 1);
  ASSERT_TRUE(store.has_value());
  int pauses = 0;
  const auto scheme = make_basic_scheme({"r", false, [&](std::chrono::nanoseconds) { ++pauses; }}, *store);
  EXPECT_EQ(scheme->work(basic("a:x")), Work::pure) << "stays on the I/O thread";
  EXPECT_EQ(describe(scheme->authenticate(basic("a:wrong"), {})), "Rejected wrong_password");
  EXPECT_EQ(pauses, 0);
}

}  // namespace
}  // namespace authgate::schemes
