// Editing htpasswd files, writing them atomically, and compatibility with Apache's htpasswd both ways.
#include "authgate/stores/htpasswd_edit.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "authgate/stores/atomic_file.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "fixtures.hpp"

namespace authgate::stores {
namespace {

namespace fs = std::filesystem;

TEST(HtpasswdEdit, ReplacesOneUserAndKeepsEveryOtherLineByteForByte) {
  const std::string content =
      "# admins\r\nalice:old\r\n\n  # indented comment\nbob:x:comment\nalice:dup\ncarol:c";
  EXPECT_EQ(set_htpasswd_user(content, "alice", "new"),
            "# admins\r\nalice:new\r\n\n  # indented comment\nbob:x:comment\ncarol:c")
      << "CRLF of the replaced line kept, later duplicate dropped, no newline added to the last line";
  EXPECT_EQ(set_htpasswd_user(content, "dave", "d"), content + "\ndave:d\n");
  EXPECT_EQ(set_htpasswd_user("", "dave", "d"), "dave:d\n");
  EXPECT_EQ(set_htpasswd_user("#alice:x\n", "alice", "a"), "#alice:x\nalice:a\n")
      << "comments are not entries";
}

TEST(HtpasswdEdit, DeletesEveryEntryOfTheUserOnly) {
  EXPECT_EQ(delete_htpasswd_user("alice:a\n#c\nbob:b\nalice:dup\n", "alice"), "#c\nbob:b\n");
  EXPECT_EQ(delete_htpasswd_user("bob:b\n", "alice"), std::nullopt);
}

TEST(HtpasswdEdit, FindsTheFirstEntryLikeModAuthnFile) {
  const std::string content = "  alice:first  \nalice:second\nbob:b:comment\n";
  EXPECT_EQ(find_htpasswd_hash(content, "alice"), "first");
  EXPECT_EQ(find_htpasswd_hash(content, "bob"), "b");
  EXPECT_EQ(find_htpasswd_hash(content, "carol"), std::nullopt);
}

TEST(HtpasswdEdit, RefusesUserNamesNoHtpasswdFileCanHold) {
  struct Case {
    std::string user;
    bool ok;
  };
  const Case cases[] = {{"alice", true},
                        {"jürgen", true},
                        {"john doe", true},
                        {"", false},
                        {"a:b", false},
                        {"a\x01", false},
                        {"#a", false},
                        {" a", false},
                        {std::string(256, 'a'), false},
                        {std::string(255, 'a'), true}};
  for (const auto& c : cases) EXPECT_EQ(check_user_name(c.user).empty(), c.ok) << c.user;
}

class TempDir : public ::testing::Test {
 protected:
  fs::path dir_ = fs::temp_directory_path() / ("authgate-stores-" + std::to_string(::getpid()));
  void SetUp() override { fs::create_directories(dir_); }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const char* name) const { return (dir_ / name).string(); }
  static std::string read(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  static mode_t mode_of(const std::string& p) {
    struct stat st {};
    ::stat(p.c_str(), &st);
    return st.st_mode & 07777;
  }
};

using AtomicFile = TempDir;

TEST_F(AtomicFile, NewFileIsPrivateAndComplete) {
  const auto p = path("users");
  ASSERT_FALSE(write_file_atomically(p, "alice:x\n"));
  EXPECT_EQ(read(p), "alice:x\n");
  EXPECT_EQ(mode_of(p), 0600u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1) << "no temp file left";
}

TEST_F(AtomicFile, ReplacementKeepsTheModeOfTheFileItReplaces) {
  const auto p = path("users");
  ASSERT_FALSE(write_file_atomically(p, "old\n", 0640));
  ASSERT_EQ(mode_of(p), 0640u);
  ASSERT_FALSE(write_file_atomically(p, "new\n"));
  EXPECT_EQ(read(p), "new\n");
  EXPECT_EQ(mode_of(p), 0640u) << "Apache or nginx may read it through its group";
}

TEST_F(AtomicFile, FailureLeavesNothingBehind) {
  EXPECT_TRUE(write_file_atomically(path("missing-dir/users"), "x"));
}

bool have_htpasswd() { return ::access("/usr/bin/htpasswd", X_OK) == 0; }

/// `htpasswd -vb file user password` exit status (0 = verified).
int apache_verify(const std::string& file, const std::string& user, const std::string& password) {
  const std::string command =
      "/usr/bin/htpasswd -vb '" + file + "' '" + user + "' '" + password + "' 2>/dev/null";
  return std::system(command.c_str());
}

using ApacheInterop = TempDir;

TEST_F(ApacheInterop, FilesWeWriteVerifyWithApacheHtpasswd) {
  if (!have_htpasswd()) GTEST_SKIP() << "apache2-utils not installed";
  const auto p = path("ours");
  std::string content = "# written by authgate\n";
  content = set_htpasswd_user(content, "bcrypt", *hash_bcrypt("s3cret pass", 5));
  content = set_htpasswd_user(content, "sha512", *hash_sha512_crypt("s3cret pass", 6000));
  ASSERT_FALSE(write_file_atomically(p, content));
  EXPECT_EQ(apache_verify(p, "bcrypt", "s3cret pass"), 0);
  EXPECT_NE(apache_verify(p, "bcrypt", "s3cret pasS"), 0);
  EXPECT_EQ(apache_verify(p, "sha512", "s3cret pass"), 0);
  EXPECT_NE(apache_verify(p, "sha512", "wrong"), 0);
}

TEST_F(ApacheInterop, FilesApacheHtpasswdWritesLoadAndVerifyWithOurs) {
  if (!have_htpasswd()) GTEST_SKIP() << "apache2-utils not installed";
  const auto p = path("theirs");
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -cbB -C 4 '" + p + "' alice 'pw a' 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -bm '" + p + "' bob 'pw b' 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -bs '" + p + "' carol 'pw c' 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -b2 '" + p + "' dave 'pw d' 2>/dev/null").c_str()), 0);
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -b5 '" + p + "' erin 'pw e' 2>/dev/null").c_str()), 0);
  auto store = load_htpasswd(p, "", 1);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  for (const auto& [user, password] :
       {std::pair{"alice", "pw a"}, {"bob", "pw b"}, {"carol", "pw c"}, {"dave", "pw d"}, {"erin", "pw e"}}) {
    const auto* record = (*store)->find(user);
    ASSERT_NE(record, nullptr) << user;
    EXPECT_EQ(verify_password(password, record->hash), VerifyResult::match) << user;
    EXPECT_EQ(verify_password("pw x", record->hash), VerifyResult::mismatch) << user;
  }
  // Apache's own update (-D) keeps our view consistent: bob is gone, the rest still verify.
  ASSERT_EQ(std::system(("/usr/bin/htpasswd -D '" + p + "' bob 2>/dev/null").c_str()), 0);
  auto after = load_htpasswd(p, "", 2);
  ASSERT_TRUE(after.has_value());
  EXPECT_EQ((*after)->find("bob"), nullptr);
  EXPECT_NE((*after)->find("alice"), nullptr);
}

}  // namespace
}  // namespace authgate::stores
