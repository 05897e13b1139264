// Digest stores: htdigest and authgate lines load and are found by exact (user, realm); every kind of
// broken line refuses the whole file with file:line:col and a reason that never quotes an HA1.
#include "authgate/stores/digest_store.hpp"

#include <gtest/gtest.h>

#include <cctype>

#include "digest_fixtures.hpp"
#include "fixtures.hpp"

namespace authgate::stores {
namespace {

using test::hex32;
using test::hex64a;
using test::hex64b;

auto parse(std::string_view text, const DigestLimits& limits = {}) {
  return parse_digest_store(text, "users.digest", 7, limits);
}

TEST(DigestHashNames, ParseIgnoresCaseAndPrintsTheCanonicalTag) {
  EXPECT_EQ(parse_digest_hash("sha-512-256"), DigestHash::sha512_256);
  EXPECT_EQ(parse_digest_hash("Md5"), DigestHash::md5);
  EXPECT_EQ(parse_digest_hash("SHA-256-sess"), std::nullopt) << "the file stores families, not algorithms";
  EXPECT_EQ(parse_digest_hash("SHA-512/256"), std::nullopt);
  EXPECT_EQ(to_string(DigestHash::sha256), "SHA-256");
  EXPECT_EQ(to_string(DigestHash::sha512_256), "SHA-512-256");
  EXPECT_EQ(ha1_hex_size(DigestHash::md5), 32u);
  EXPECT_EQ(ha1_hex_size(DigestHash::sha512_256), 64u);
}

TEST(DigestStore, LoadsTheFileApacheHtdigestWrote) {
  // tests/data/stores/make_htdigest.sh: every HA1 must be MD5(user:realm:password) as OpenSSL computes it.
  auto store = load_digest_store(test::fixture_path("apache.htdigest"), 42);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  const auto& s = **store;
  EXPECT_EQ(s.generation(), 42u);
  EXPECT_EQ(s.records().size(), 6u);
  struct Case {
    const char *user, *realm, *password;
  };
  for (const auto& c :
       {Case{"alice", "authgate", "alice-pw"}, Case{"bob", "authgate", "bob-new-pw"},
        Case{"alice", "Other Realm", "alice-other-pw"}, Case{"jürgen", "authgate", "pässwörd-€"},
        Case{"jürgen", "Réalm", "jürgen-pw"}, Case{"john doe", "authgate", "a:b c"}}) {
    const DigestRecord* record = s.find(c.user, c.realm);
    ASSERT_NE(record, nullptr) << c.user << " in " << c.realm;
    EXPECT_EQ(record->ha1_hex(DigestHash::md5), test::ha1_of(DigestHash::md5, c.user, c.realm, c.password));
    EXPECT_TRUE(record->ha1_hex(DigestHash::sha256).empty());
  }
}

TEST(DigestStore, ReadsTheLineMd5sumComputes) {
  // Fixed vector, independent of any tool being installed: printf 'user:realm:pass' | md5sum.
  auto store = parse("user:realm:" + test::md5sum_user_realm_pass + "\n");
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  EXPECT_EQ((*store)->find("user", "realm")->ha1_hex(DigestHash::md5), test::md5sum_user_realm_pass);
  EXPECT_EQ(test::ha1_of(DigestHash::md5, "user", "realm", "pass"), test::md5sum_user_realm_pass);
}

TEST(DigestStore, ReadsBothFormatsWithCommentsCrlfWhitespaceAndNoFinalNewline) {
  std::string upper = hex64b;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  const std::string text = "# digest users\r\n\r\n  alice:r:" + hex32 + "  \r\n#bob:r:" + hex32 +
                           "\nbob:r:sha-512-256=" + upper + ",Md5=" + hex32 + ",SHA-256=" + hex64a +
                           "\ncarol:r:SHA-256=" + hex64a +
                           ":Carol, ignored like mod_authn_file\n\t\ndave:r:" + hex32;
  auto store = parse(text);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  const auto& s = **store;
  ASSERT_EQ(s.records().size(), 4u);
  const auto* alice = s.find("alice", "r");
  ASSERT_NE(alice, nullptr);
  EXPECT_EQ(alice->line, 3);
  EXPECT_EQ(alice->ha1_hex(DigestHash::md5), hex32);
  EXPECT_EQ(s.find("#bob", "r"), nullptr) << "'#' lines are comments";
  const auto* bob = s.find("bob", "r");
  ASSERT_NE(bob, nullptr);
  EXPECT_EQ(bob->ha1_hex(DigestHash::sha512_256), hex64b) << "tags in any case and order; hex stored lower";
  EXPECT_EQ(bob->ha1_hex(DigestHash::sha256), hex64a);
  EXPECT_EQ(bob->ha1_hex(DigestHash::md5), hex32);
  EXPECT_EQ(s.find("carol", "r")->ha1_hex(DigestHash::sha256), hex64a);
  EXPECT_TRUE(s.find("carol", "r")->ha1_hex(DigestHash::md5).empty());
  EXPECT_EQ(s.find("dave", "r")->line, 8) << "a final line without newline";
  EXPECT_EQ(s.records()[1].user, "bob") << "records() keeps file order";
}

TEST(DigestStore, FindsByExactBytesOnlyAndNeverAcrossRealms) {
  const std::string text = "Alice:Realm:" + hex32 + "\nalice:realm:SHA-256=" + hex64a +
                           "\njürgen:realm:" + hex32 + "\nalice:other:" + hex32 + "\n";
  auto store = parse(text);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  const auto& s = **store;
  EXPECT_EQ(s.find("alice", "realm")->line, 2);
  EXPECT_EQ(s.find("Alice", "Realm")->line, 1);
  EXPECT_EQ(s.find("alice", "Realm"), nullptr) << "realms compare as bytes";
  EXPECT_EQ(s.find("ALICE", "realm"), nullptr) << "user names compare as bytes";
  EXPECT_EQ(s.find("alice", "other")->line, 4);
  EXPECT_EQ(s.find("alice", "nowhere"), nullptr);
  EXPECT_EQ(s.find("alice", ""), nullptr);
  EXPECT_EQ(s.find("", ""), nullptr);
  EXPECT_EQ(s.find("jürgen", "realm")->line, 3) << "UTF-8 bytes (NFC, as typed)";
  EXPECT_EQ(s.find("ju\xCC\x88rgen", "realm"), nullptr) << "no Unicode normalisation: NFD is another user";
  EXPECT_EQ(s.find("j\xFCrgen", "realm"), nullptr) << "nor a Latin-1 spelling";
}

TEST(DigestStore, RealmsMissingNamesTheFirstRecordThatCannotServeAHash) {
  const std::string text = "alice:r:SHA-256=" + hex64a + ",SHA-512-256=" + hex64b + "\nbob:other:" + hex32 +
                           "\ncarol:r:" + hex32 + "\ndave:r:" + hex32 + "\n";
  auto store = parse(text);
  ASSERT_TRUE(store.has_value()) << store.error().to_string();
  const auto& s = **store;
  ASSERT_NE(s.realms_missing(DigestHash::sha256, "r"), nullptr);
  EXPECT_EQ(s.realms_missing(DigestHash::sha256, "r")->line, 3) << "carol, the first htdigest line of r";
  EXPECT_EQ(s.realms_missing(DigestHash::md5, "r")->line, 1) << "alice has no MD5 HA1";
  EXPECT_EQ(s.realms_missing(DigestHash::md5, "other"), nullptr) << "bob serves MD5";
  EXPECT_EQ(s.realms_missing(DigestHash::sha256, "other")->user, "bob");
  EXPECT_EQ(s.realms_missing(DigestHash::sha256, "empty realm"), nullptr) << "no record lacks anything";
}

TEST(DigestStore, DummyHasARandomHa1ForEveryHashAndBelongsToNoOne) {
  auto first = parse("");
  auto second = parse("");
  ASSERT_TRUE(first.has_value() && second.has_value());
  const auto& dummy = (*first)->dummy();
  EXPECT_TRUE(dummy.user.empty() && dummy.realm.empty());
  for (const DigestHash hash : all_digest_hashes) {
    const auto hex = dummy.ha1_hex(hash);
    EXPECT_EQ(hex.size(), ha1_hex_size(hash)) << to_string(hash);
    EXPECT_EQ(hex.find_first_not_of("0123456789abcdef"), std::string_view::npos) << to_string(hash);
    EXPECT_NE(hex, (*second)->dummy().ha1_hex(hash)) << "fresh per snapshot";
  }
  EXPECT_EQ((*first)->find("", ""), nullptr) << "the dummy is never found";
}

struct BadCase {
  const char* name;
  std::string text;
  int line;
  int column;
  std::string reason;
  const char* why;
};

TEST(DigestStore, BrokenLinesRefuseTheWholeFileWithLineColumnAndExactReason) {
  const std::string ok = "alice:r:" + hex32 + "\n";
  const std::string sha = "SHA-256=" + hex64a;
  const BadCase cases[] = {
      {"no colon", ok + "bob\n", 2, 4, "expected 'user:realm:HA1'", "a user without realm and HA1"},
      {"one colon", "bob:r\n", 1, 6, "expected 'user:realm:HA1'", "htpasswd's format is not htdigest's"},
      {"empty user", ":r:" + hex32, 1, 1, "empty user name", "no one can send an empty name and mean it"},
      {"empty realm", "bob::" + hex32, 1, 5, "empty realm", "a realm is never empty in a challenge"},
      {"no HA1", "bob:r:", 1, 7, "missing HA1 after 'user:realm:'", "a user who can never sign in"},
      {"short MD5", "bob:r:" + hex32.substr(1), 1, 7,
       "expected an htdigest MD5 HA1 (32 hex digits) or TAG=hex entries (e.g. SHA-256=…)", "truncated"},
      {"not hex", "bob:r:" + hex32.substr(1) + "g", 1, 7,
       "expected an htdigest MD5 HA1 (32 hex digits) or TAG=hex entries (e.g. SHA-256=…)", "a bcrypt hash?"},
      {"untagged SHA-256", "bob:r:" + hex64a, 1, 7,
       "expected an htdigest MD5 HA1 (32 hex digits) or TAG=hex entries (e.g. SHA-256=…)",
       "64 hex digits could be SHA-256 or SHA-512-256: the tag says which"},
      {"unknown tag", "bob:r:SHA-1=" + hex32.substr(0, 40), 1, 7,
       "unknown hash tag (expected MD5, SHA-256 or SHA-512-256)", "RFC 7616 has no SHA-1"},
      {"-sess tag", "bob:r:SHA-256-sess=" + hex64a, 1, 7,
       "unknown hash tag (expected MD5, SHA-256 or SHA-512-256)", "-sess uses the family's HA1"},
      {"tag twice", "bob:r:" + sha + ",sha-256=" + hex64b, 1, 80, "SHA-256 given twice",
       "which of two HA1s would be the password?"},
      {"SHA-256 of MD5 length", "bob:r:SHA-256=" + hex32, 1, 15, "SHA-256 HA1 must be 64 hex digits",
       "the length is the hash's"},
      {"MD5 of SHA length", "bob:r:" + sha + ",MD5=" + hex64b, 1, 84, "MD5 HA1 must be 32 hex digits",
       "the column points at the hex"},
      {"empty SHA-512-256", "bob:r:SHA-512-256=", 1, 19, "SHA-512-256 HA1 must be 64 hex digits", "empty"},
      {"trailing comma", "bob:r:" + sha + ",", 1, 80, "empty entry in the HA1 list", "a lost entry"},
      {"entry without '='", "bob:r:" + sha + "," + hex32, 1, 80,
       "expected TAG=hex (MD5, SHA-256 or SHA-512-256) in the HA1 list", "formats do not mix on a line"},
      {"space after comma", "bob:r:" + sha + ", MD5=" + hex32, 1, 80,
       "unknown hash tag (expected MD5, SHA-256 or SHA-512-256)", "the list has no whitespace"},
      {"duplicate pair", ok + "# c\nalice:r:" + sha, 3, 1,
       "duplicate user 'alice' in realm 'r' (first on line 1)", "Apache silently takes the first"},
      {"control character in user", "al\x01ice:r:" + hex32, 1, 3, "control character in user name",
       "RFC 7616 user names have no CTL"},
      {"DEL in realm", "bob:re\x7f:" + hex32, 1, 7, "control character in realm", "DEL is a control"},
      {"tab in realm", "bob:my\trealm:" + hex32, 1, 7, "control character in realm", "HT too"},
      {"C1 control in user", "b\xC2\x85ob:r:" + hex32, 1, 2, "control character in user name", "U+0085 NEL"},
      {"lone continuation byte", "\x80ob:r:" + hex32, 1, 1, "invalid UTF-8 in user name", "not UTF-8"},
      {"Latin-1 user", "j\xFCrgen:r:" + hex32, 1, 2, "invalid UTF-8 in user name",
       "an ISO-8859-1 file: clients send UTF-8 (RFC 7616 §4)"},
      {"overlong '/'", "a\xC0\xAF:r:" + hex32, 1, 2, "invalid UTF-8 in user name", "RFC 3629 §10"},
      {"surrogate", "a\xED\xA0\x80:r:" + hex32, 1, 2, "invalid UTF-8 in user name", "U+D800 is not a char"},
      {"above U+10FFFF", "a\xF4\x90\x80\x80:r:" + hex32, 1, 2, "invalid UTF-8 in user name", "RFC 3629"},
      {"truncated sequence", "bob:r\xC3:" + hex32, 1, 6, "invalid UTF-8 in realm", "cut before ':'"},
      {"space at the user's end", "bob :r:" + hex32, 1, 4, "user name starts or ends with whitespace",
       "X-Auth-User's recipient would strip it"},
      {"space at the realm's start", "bob: r:" + hex32, 1, 5, "realm starts or ends with whitespace",
       "no configured realm looks like that"},
      {"overlong user", std::string(256, 'u') + ":r:" + hex32, 1, 1, "user name longer than 255 bytes",
       "htdigest's own limit"},
      {"overlong realm", "bob:" + std::string(256, 'r') + ":" + hex32, 1, 5, "realm longer than 255 bytes",
       "htdigest's own limit"},
      {"NUL byte", std::string("bob:r\0:", 7) + hex32, 1, 6, "NUL byte", "C tools would see another line"},
      {"continuation", "bob:r:" + hex32 + "\\", 1, 39, "line continuation '\\' not supported",
       "Apache would join the next line"},
      {"byte order mark", "\xEF\xBB\xBF" + ok, 1, 1, "UTF-8 byte order mark (save the file without it)",
       "it would become part of alice's name"},
      {"byte order mark inside", ok + "b\xEF\xBB\xBFob:r:" + hex32, 2, 2,
       "byte order mark (U+FEFF) in user name", "files joined with cat keep the second one's"},
      {"CRLF file, error on line 2", "alice:r:" + hex32 + "\r\nbob\r\n", 2, 4, "expected 'user:realm:HA1'",
       "line numbers count CRLF lines"},
      {"indented line keeps its column", "   al\x7fice:r:" + hex32, 1, 6, "control character in user name",
       "columns count raw bytes"},
  };
  for (const auto& c : cases) {
    auto store = parse(c.text);
    ASSERT_FALSE(store.has_value()) << c.name;
    const LoadError& e = store.error();
    EXPECT_EQ(e.file, "users.digest") << c.name;
    EXPECT_EQ(e.line, c.line) << c.name << ": " << e.to_string();
    EXPECT_EQ(e.column, c.column) << c.name << ": " << e.to_string();
    EXPECT_EQ(e.reason, c.reason) << c.name << " — " << c.why;
    for (const auto& hex : {hex32, hex64a, hex64b}) {
      EXPECT_EQ(e.to_string().find(hex.substr(0, 8)), std::string::npos) << c.name << ": quotes an HA1";
    }
  }
}

TEST(DigestStore, ErrorsReadAsFileLineColumnReason) {
  auto store = parse("bob:r:SHA-256=" + hex32);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().to_string(), "users.digest:1:15: SHA-256 HA1 must be 64 hex digits");
}

TEST(DigestStore, OversizedFileLineAndRecordCountAreRefused) {
  EXPECT_EQ(DigestLimits{}.max_file_bytes, 64u << 20);
  EXPECT_EQ(DigestLimits{}.max_line_bytes, 8192u);
  EXPECT_EQ(DigestLimits{}.max_records, 1'000'000u);
  DigestLimits small;
  small.max_file_bytes = 100;
  const auto big = parse(std::string(101, '#'), small);
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().to_string(), "users.digest: file larger than 100 bytes");
  const auto bom_and_big = parse("\xEF\xBB\xBF" + std::string(98, '#'), small);
  EXPECT_EQ(bom_and_big.error().line, 0) << "the size is checked first";

  const std::string line = "a:r:" + hex32 + ":";  // the ignored comment field pads to the limit
  EXPECT_TRUE(parse(line + std::string(8192 - line.size(), 'x')).has_value()) << "8 KiB is allowed";
  const auto long_line = parse("# ok\n" + line + std::string(8193 - line.size(), 'x'));
  ASSERT_FALSE(long_line.has_value());
  EXPECT_EQ(long_line.error().to_string(), "users.digest:2:8193: line longer than 8192 bytes");

  DigestLimits few;
  few.max_records = 2;
  const auto many = parse("a:r:" + hex32 + "\nb:r:" + hex32 + "\n# c\nc:r:" + hex32 + "\n", few);
  ASSERT_FALSE(many.has_value());
  EXPECT_EQ(many.error().to_string(), "users.digest:4:1: more than 2 records");
}

TEST(DigestStore, MissingFileIsALoadErrorOfTheWholeFile) {
  auto store = load_digest_store("/nonexistent/users.digest", 1);
  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().to_string(), "/nonexistent/users.digest: cannot open: No such file or directory");
}

TEST(DigestStore, AnEmptyOrCommentOnlyFileIsAnEmptyStore) {
  for (const char* text : {"", "\n", "# only a comment\r\n\r\n", "   \t  "}) {
    auto store = parse(text);
    ASSERT_TRUE(store.has_value()) << text;
    EXPECT_TRUE((*store)->records().empty());
    EXPECT_EQ((*store)->realms_missing(DigestHash::sha256, "r"), nullptr);
  }
}

}  // namespace
}  // namespace authgate::stores
