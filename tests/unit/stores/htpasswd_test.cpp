// htpasswd parsing: Apache's own files load; every kind of broken line refuses the whole file with
// file:line:col.
#include "authgate/stores/htpasswd.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "fixtures.hpp"

namespace authgate::stores {
namespace {

const std::string bcrypt4 = "$2y$04$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW";  // "bcrypt4-pw"
const std::string apr1 = "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/";                            // "apr1-pw"

auto parse(std::string_view content, std::string_view groups = {}, const FileLimits& limits = {}) {
  return parse_htpasswd(content, "users", groups, "groups", 7, limits);
}

TEST(Htpasswd, LoadsTheFileApacheHtpasswdWrote) {
  auto store = load_htpasswd(test::fixture_path("apache.htpasswd"), test::fixture_path("groups"), 42);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  const auto& s = **store;
  EXPECT_EQ(s.generation(), 42u);
  for (const auto& [user, hash] : test::apache_entries()) {
    const UserRecord* record = s.find(user);
    ASSERT_NE(record, nullptr) << user;
    EXPECT_EQ(record->hash, hash);
    EXPECT_EQ(record->kind, classify_hash(hash));
  }
  EXPECT_EQ(s.find("nobody"), nullptr);
  EXPECT_EQ(s.find("BCRYPT"), nullptr) << "user-ids are case-sensitive bytes";
  EXPECT_EQ(s.groups_of("bcrypt"), (std::vector<std::string>{"admins", "staff"}));
  EXPECT_EQ(s.groups_of("jürgen"), (std::vector<std::string>{"staff"}));
  EXPECT_TRUE(s.groups_of("des").empty());
}

TEST(Htpasswd, ToleratesCrlfCommentsBlankLinesAndSurroundingWhitespaceLikeApache) {
  const std::string content = "# comment\r\n\r\n   \t\n  alice:" + bcrypt4 + "  \r\n#bob:x\nbob:" + apr1;
  auto store = parse(content);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  ASSERT_NE((*store)->find("alice"), nullptr);
  EXPECT_EQ((*store)->find("alice")->hash, bcrypt4);
  EXPECT_EQ((*store)->find("alice")->line, 4);
  EXPECT_NE((*store)->find("bob"), nullptr);
  EXPECT_EQ((*store)->find("#bob"), nullptr) << "'#' lines are comments";
}

TEST(Htpasswd, IgnoresFieldsAfterTheHashLikeModAuthnFile) {
  auto store = parse("alice:" + apr1 + ":Alice Liddell\n");
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  EXPECT_EQ((*store)->find("alice")->hash, apr1);
}

TEST(Htpasswd, EmptyFileIsAnEmptyStoreWithACheapDummy) {
  auto store = parse("");
  ASSERT_TRUE(store.has_value());
  EXPECT_EQ((*store)->find("anyone"), nullptr);
  EXPECT_EQ(classify_hash((*store)->dummy_hash()), HashKind::sha1);
}

TEST(Htpasswd, BrokenLinesRefuseTheWholeFileWithLineColumnAndReason) {
  struct Case {
    const char* name;
    std::string content;
    int line;
    int column;
    std::string reason_part;
    const char* why;
  };
  const Case cases[] = {
      {"no colon", "alice:" + apr1 + "\nbob\n", 2, 4, "expected 'user:hash'", "a user without a hash"},
      {"empty user", ":" + apr1, 1, 1, "empty user name", "no one can send an empty name and mean it"},
      {"empty hash", "alice:", 1, 7, "empty hash", "Apache would call crypt(\"\") and fail at request time"},
      {"duplicate user", "alice:" + apr1 + "\n\nalice:" + bcrypt4, 3, 1,
       "duplicate user 'alice' (first on line 1)", "Apache silently takes the first"},
      {"unsupported format", "alice:$7$CU..../....", 1, 7, "unsupported hash format",
       "scrypt is not offered"},
      {"bcrypt cost 31", "alice:$2y$31$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW", 1, 7,
       "bcrypt cost 31 is above the limit 17", "one login would take days"},
      {"control character in user", "al\x01ice:" + apr1, 1, 3, "control character in user name",
       "RFC 7617 user-ids have no CTL"},
      {"indented line keeps its column", "   al\x7fice:" + apr1, 1, 6, "control character",
       "columns count raw bytes"},
      {"continuation", "alice:plain\\\n", 1, 12, "line continuation", "Apache would join the next line"},
      {"space at the user's end", "alice :" + apr1, 1, 1, "starts or ends with whitespace",
       "X-Auth-User's recipient would strip it (issue 11 F2)"},
      {"NUL byte", std::string("alice:pl\0ain", 12), 1, 9, "NUL byte", "C tools would see a different line"},
      {"overlong user", std::string(256, 'u') + ":" + apr1, 1, 1, "user name longer than 255",
       "htpasswd's own limit"},
  };
  for (const auto& c : cases) {
    auto store = parse(c.content);
    ASSERT_FALSE(store.has_value()) << c.name;
    const LoadError& e = store.error();
    EXPECT_EQ(e.file, "users") << c.name;
    EXPECT_EQ(e.line, c.line) << c.name << ": " << e.to_string();
    EXPECT_EQ(e.column, c.column) << c.name << ": " << e.to_string();
    EXPECT_NE(e.reason.find(c.reason_part), std::string::npos)
        << c.name << ": " << e.to_string() << " — " << c.why;
  }
}

TEST(Htpasswd, ErrorMessagesNeverQuoteTheHash) {
  auto store = parse("alice:$2y$31$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().to_string().find("kAex"), std::string::npos);
  EXPECT_EQ(store.error().to_string(), "users:1:7: bcrypt cost 31 is above the limit 17");
}

TEST(Htpasswd, OversizedFileAndLineAreRefused) {
  FileLimits limits;
  limits.max_file_bytes = 100;
  limits.max_line_bytes = 50;
  const auto big = parse(std::string(101, '#'), {}, limits);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().line, 0);
  EXPECT_EQ(big.error().to_string(), "users: file larger than 100 bytes");
  const auto wide = parse("# ok\n" + std::string(51, '#') + "\n", {}, limits);
  ASSERT_FALSE(wide.has_value());
  EXPECT_EQ(wide.error().line, 2) << "even a comment may not exceed the line limit";
}

TEST(Htpasswd, BrokenGroupFileRefusesTheStore) {
  auto store = parse("alice:" + apr1, "admins alice\n");
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().file, "groups");
  EXPECT_EQ(store.error().line, 1);
}

TEST(Htpasswd, LoadReportsUnreadableAndOversizedFiles) {
  auto missing = load_htpasswd("/nonexistent/users", "", 1);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().line, 0);
  EXPECT_NE(missing.error().reason.find("cannot open"), std::string::npos);

  FileLimits limits;
  limits.max_file_bytes = 10;
  auto big = load_htpasswd(test::fixture_path("apache.htpasswd"), "", 1, limits);
  ASSERT_FALSE(big.has_value());
  EXPECT_NE(big.error().reason.find("larger than 10 bytes"), std::string::npos);

  auto missing_groups = load_htpasswd(test::fixture_path("apache.htpasswd"), "/nonexistent/groups", 1);
  ASSERT_FALSE(missing_groups.has_value());
  EXPECT_EQ(missing_groups.error().file, "/nonexistent/groups");
}

}  // namespace
}  // namespace authgate::stores
