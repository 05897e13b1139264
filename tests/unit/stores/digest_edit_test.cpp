// Editing digest files: one (user, realm) line changes and every other byte stays; what we write loads
// again; and Apache's htdigest and we can edit the same file in turn.
#include "authgate/stores/digest_edit.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <span>

#include "authgate/stores/atomic_file.hpp"
#include "digest_fixtures.hpp"

namespace authgate::stores {
namespace {

using test::hex32;
using test::hex64a;
using test::hex64b;

DigestRecord record(std::string user, std::string realm, std::string md5, std::string sha256 = {},
                    std::string sha512_256 = {}) {
  return DigestRecord{
      std::move(user), std::move(realm), {std::move(md5), std::move(sha256), std::move(sha512_256)}};
}

std::string upsert(std::string_view content, const DigestRecord& r) {
  auto edit = upsert_digest_line(content, r);
  EXPECT_TRUE(edit.has_value()) << (edit.has_value() ? "" : edit.error());
  return edit.has_value() ? edit->content : std::string{};
}

TEST(DigestEdit, FormatsHtdigestLinesForMd5AloneAndTaggedLinesOtherwise) {
  EXPECT_EQ(format_digest_line(record("jürgen", "r", hex32)), "jürgen:r:" + hex32) << "what htdigest writes";
  std::string upper = hex64a;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_EQ(format_digest_line(record("a", "r", hex32, upper, hex64b)),
            "a:r:SHA-256=" + hex64a + ",SHA-512-256=" + hex64b + ",MD5=" + hex32)
      << "strongest first, lower-case hex";
  EXPECT_EQ(format_digest_line(record("a", "r", "", "", hex64b)), "a:r:SHA-512-256=" + hex64b);
}

TEST(DigestEdit, ReplacesOnePairAndKeepsEveryOtherLineByteForByte) {
  const std::string content = "# admins\r\nalice:r:" + hex32 + "\r\n\n  # indented\nalice:other:" + hex32 +
                              "\nbob:r:" + hex32 + ":comment\n alice:r:SHA-256=" + hex64b +
                              "\ncarol:r:" + hex32;
  auto edit = upsert_digest_line(content, record("alice", "r", "", hex64a));
  ASSERT_TRUE(edit.has_value()) << edit.error();
  EXPECT_TRUE(edit->replaced);
  EXPECT_EQ(edit->content, "# admins\r\nalice:r:SHA-256=" + hex64a + "\r\n\n  # indented\nalice:other:" +
                               hex32 + "\nbob:r:" + hex32 + ":comment\ncarol:r:" + hex32)
      << "CRLF of the replaced line kept, later duplicate dropped, other realm and last line untouched";
}

TEST(DigestEdit, AppendsANewPairAfterTheLastLine) {
  auto edit = upsert_digest_line("bob:r:" + hex32, record("alice", "r", hex32));
  ASSERT_TRUE(edit.has_value());
  EXPECT_FALSE(edit->replaced);
  EXPECT_EQ(edit->content, "bob:r:" + hex32 + "\nalice:r:" + hex32 + "\n");
  EXPECT_EQ(upsert("", record("alice", "r", hex32)), "alice:r:" + hex32 + "\n");
  EXPECT_EQ(upsert("#alice:r:x\n", record("alice", "r", hex32)), "#alice:r:x\nalice:r:" + hex32 + "\n")
      << "comments are not entries";
  EXPECT_EQ(upsert("alice:R:x\n", record("alice", "r", hex32)), "alice:R:x\nalice:r:" + hex32 + "\n")
      << "realms match as bytes";
}

TEST(DigestEdit, ANewPasswordReplacesEveryHa1NotJustTheOnesGiven) {
  // Merging would keep the old password valid for MD5 clients after a change made with SHA-256 only.
  const std::string old_line = "alice:r:SHA-256=" + hex64b + ",MD5=" + hex32 + "\n";
  auto store = parse_digest_store(upsert(old_line, record("alice", "r", "", hex64a)), "f", 1);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  EXPECT_EQ((*store)->find("alice", "r")->ha1_hex(DigestHash::sha256), hex64a);
  EXPECT_TRUE((*store)->find("alice", "r")->ha1_hex(DigestHash::md5).empty());
}

TEST(DigestEdit, WhatWeWriteLoadsBackUnchanged) {
  const DigestRecord records[] = {
      record("alice", "authgate", hex32, hex64a, hex64b), record("jürgen", "Réalm", hex32),
      record("john doe", "a \"quoted\" \\ realm", "", hex64a), record("alice", "other", "", "", hex64b)};
  std::string content = "# users\n";
  for (const auto& r : records) content = upsert(content, r);
  content = upsert(content, record("alice", "authgate", "", hex64b, hex64a));  // a password change
  auto store = parse_digest_store(content, "f", 1);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  ASSERT_EQ((*store)->records().size(), 4u);
  EXPECT_EQ((*store)->find("alice", "authgate")->line, 2) << "changed in place";
  EXPECT_EQ((*store)->find("alice", "authgate")->ha1_hex(DigestHash::sha256), hex64b);
  for (const auto& r : std::span(records).subspan(1)) {
    const auto* found = (*store)->find(r.user, r.realm);
    ASSERT_NE(found, nullptr) << r.user;
    EXPECT_EQ(found->ha1, r.ha1) << r.user;
    EXPECT_EQ(format_digest_line(*found), format_digest_line(r));
  }
}

TEST(DigestEdit, RefusesRecordsNoDigestFileCanHoldWithoutQuotingTheHa1) {
  struct Case {
    const char* name;
    DigestRecord record;
    std::string reason;
  };
  const Case cases[] = {
      {"empty user", record("", "r", hex32), "empty user name"},
      {"colon in user", record("a:b", "r", hex32), "':' in user name"},
      {"colon in realm", record("a", "r:s", hex32), "':' in realm"},
      {"comment user", record("#a", "r", hex32), "user name starts with '#' (the line would be a comment)"},
      {"control character", record("a\nb", "r", hex32), "control character in user name"},
      {"Latin-1 realm",
       record("a",
              "R\xE9"
              "alm",
              hex32),
       "invalid UTF-8 in realm"},
      {"trailing space", record("a", "r ", hex32), "realm starts or ends with whitespace"},
      {"overlong user", record(std::string(256, 'u'), "r", hex32), "user name longer than 255 bytes"},
      {"no HA1", record("a", "r", ""), "no HA1 given"},
      {"short MD5", record("a", "r", hex32.substr(1)), "MD5 HA1 must be 32 hex digits"},
      {"not hex", record("a", "r", "", std::string(63, 'a') + "g"), "SHA-256 HA1 must be 64 hex digits"},
      {"MD5-sized SHA-512-256", record("a", "r", "", "", hex32), "SHA-512-256 HA1 must be 64 hex digits"},
  };
  for (const auto& c : cases) {
    auto edit = upsert_digest_line("x:y:" + hex32 + "\n", c.record);
    ASSERT_FALSE(edit.has_value()) << c.name;
    EXPECT_EQ(edit.error(), c.reason) << c.name;
  }
  EXPECT_EQ(check_digest_user("jürgen"), "");
  EXPECT_EQ(check_digest_user("john doe"), "");
  EXPECT_EQ(check_digest_realm("a \"quoted\" \\ realm"), "")
      << "curl's escaping trap is the scheme's concern";
  EXPECT_EQ(check_digest_realm("#r"), "") << "only a user starts a line";
}

TEST(DigestEdit, DeletesEveryLineOfThePairOnly) {
  const std::string a = "alice:r:" + hex32 + "\n";
  const std::string keep = "#c\nalice:other:" + hex32 + "\nbob:r:" + hex32 + "\n";
  EXPECT_EQ(delete_digest_line(a + keep + " " + a, "alice", "r"), keep);
  EXPECT_EQ(delete_digest_line(keep, "alice", "r"), std::nullopt);
}

namespace fs = std::filesystem;

class DigestHtdigestInterop : public ::testing::Test {
 protected:
  fs::path dir_ = fs::temp_directory_path() / ("authgate-digest-" + std::to_string(::getpid()));
  std::string file_ = (dir_ / "users.digest").string();
  void SetUp() override {
    if (::access("/usr/bin/htdigest", X_OK) != 0 || ::access("/usr/bin/setsid", X_OK) != 0) {
      GTEST_SKIP() << "apache2-utils (htdigest) not installed";
    }
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// Runs Apache's htdigest. It has no batch mode: it reads the password twice from /dev/tty, or from
  /// stdin when it has no controlling terminal, which setsid gives it.
  int htdigest(const std::string& realm, const std::string& user, const std::string& password,
               bool create = false) const {
    const std::string command = "printf '%s\\n%s\\n' '" + password + "' '" + password +
                                "' | /usr/bin/setsid -w /usr/bin/htdigest " + (create ? "-c '" : "'") +
                                file_ + "' '" + realm + "' '" + user + "' >/dev/null 2>&1";
    return std::system(command.c_str());
  }
  std::string read() const {
    std::ifstream in(file_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
};

TEST_F(DigestHtdigestInterop, FilesHtdigestWritesLoadWithTheHa1sOpenSslComputes) {
  ASSERT_EQ(htdigest("authgate", "alice", "alice pw", true), 0);
  ASSERT_EQ(htdigest("Réalm", "jürgen", "pässwörd-€"), 0);
  ASSERT_EQ(htdigest("authgate", "alice", "new pw"), 0);
  auto store = load_digest_store(file_, 1);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  ASSERT_EQ((*store)->records().size(), 2u);
  EXPECT_EQ((*store)->find("alice", "authgate")->ha1_hex(DigestHash::md5),
            test::ha1_of(DigestHash::md5, "alice", "authgate", "new pw"));
  EXPECT_EQ((*store)->find("jürgen", "Réalm")->ha1_hex(DigestHash::md5),
            test::ha1_of(DigestHash::md5, "jürgen", "Réalm", "pässwörd-€"));
}

TEST_F(DigestHtdigestInterop, HtdigestKeepsOurLinesAndRecognisesOurMd5Lines) {
  using test::ha1_of;
  std::string content = "# written by authgate\n";
  content =
      upsert(content, record("alice", "authgate", "", ha1_of(DigestHash::sha256, "alice", "authgate", "a"),
                             ha1_of(DigestHash::sha512_256, "alice", "authgate", "a")));
  content = upsert(content, record("bob", "authgate", ha1_of(DigestHash::md5, "bob", "authgate", "old")));
  ASSERT_FALSE(write_file_atomically(file_, content));
  ASSERT_EQ(htdigest("authgate", "bob", "new"), 0);     // must find our line ("Changing password …")
  ASSERT_EQ(htdigest("authgate", "carol", "c pw"), 0);  // appended after ours
  const std::string after = read();
  EXPECT_EQ(after.substr(0, content.find("bob:")), content.substr(0, content.find("bob:")))
      << "the comment and the tagged line are kept byte for byte";
  auto store = parse_digest_store(after, "f", 2);
  ASSERT_TRUE(store.has_value()) << store.error().to_string() << " — a duplicate bob would be refused";
  EXPECT_EQ((*store)->find("bob", "authgate")->ha1_hex(DigestHash::md5),
            ha1_of(DigestHash::md5, "bob", "authgate", "new"));
  EXPECT_EQ((*store)->find("carol", "authgate")->ha1_hex(DigestHash::md5),
            ha1_of(DigestHash::md5, "carol", "authgate", "c pw"));
  EXPECT_EQ((*store)->find("alice", "authgate")->ha1_hex(DigestHash::sha256),
            ha1_of(DigestHash::sha256, "alice", "authgate", "a"));
}

}  // namespace
}  // namespace authgate::stores
