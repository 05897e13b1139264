// Hash recognition, validation and verification, against hashes made by Apache's htpasswd and mkpasswd.
#include "authgate/stores/password_hash.hpp"

#include <gtest/gtest.h>

#include <map>

#include "fixtures.hpp"

namespace authgate::stores {
namespace {

const std::string bcrypt5 = "$2y$05$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS";

std::string apache_password(const std::string& user) {
  if (user == "jürgen") return "pässwörd-€";
  if (user == "colon") return "a:b c";
  return user + "-pw";
}

TEST(PasswordHash, ClassifiesEveryFormatByPrefixAndShape) {
  struct Case {
    const char* name;
    std::string hash;
    HashKind expected;
  };
  const Case cases[] = {
      {"bcrypt 2y", bcrypt5, HashKind::bcrypt},
      {"bcrypt 2b", "$2b$05$x", HashKind::bcrypt},
      {"bcrypt 2a", "$2a$05$x", HashKind::bcrypt},
      {"bcrypt 2x (the buggy variant) is unknown", "$2x$05$x", HashKind::unknown},
      {"apr1", "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/", HashKind::apr1_md5},
      {"md5-crypt", "$1$BHz4hvJG$hx6/b3hw50ieNxQbFLL.c1", HashKind::md5_crypt},
      {"sha256-crypt", "$5$abc$def", HashKind::sha256_crypt},
      {"sha512-crypt", "$6$abc$def", HashKind::sha512_crypt},
      {"yescrypt", "$y$j9T$a$b", HashKind::yescrypt},
      {"argon2id", "$argon2id$v=19$m=8,t=1,p=1$a$b", HashKind::argon2id},
      {"argon2i is refused", "$argon2i$v=19$m=8,t=1,p=1$a$b", HashKind::unknown},
      {"scrypt is refused", "$7$CU..../....", HashKind::unknown},
      {"gost-yescrypt is refused", "$gy$j9T$a$b", HashKind::unknown},
      {"{SHA}", "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=", HashKind::sha1},
      {"13 crypt64 characters are DES", "5OzWD8wvN1Fzs", HashKind::des_crypt},
      {"12 characters are plaintext", "5OzWD8wvN1Fz", HashKind::plaintext},
      {"anything else is plaintext", "plain-pw", HashKind::plaintext},
      {"empty is unknown", "", HashKind::unknown},
  };
  for (const auto& c : cases) EXPECT_EQ(classify_hash(c.hash), c.expected) << c.name;
}

TEST(PasswordHash, CheckHashRefusesMalformedHashesAndExcessiveCosts) {
  struct Case {
    const char* name;
    std::string hash;
    bool accepted;
    const char* why;
  };
  const Case cases[] = {
      {"bcrypt cost 5", bcrypt5, true, "Apache's default"},
      {"bcrypt cost 31", "$2y$31$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS", false,
       "2^31 rounds would stall a worker for days"},
      {"bcrypt cost 03", "$2y$03$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS", false,
       "below bcrypt's minimum"},
      {"bcrypt truncated", bcrypt5.substr(0, 59), false, "a digest must be 31 characters"},
      {"bcrypt with a bad character", "$2y$05$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rY!S", false,
       "not crypt64"},
      {"apr1", "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/", true, "htpasswd -m"},
      {"apr1 with a 9-byte salt", "$apr1$DlGkQ.Cf1$KK1BNIiI6UvSdN4bZxb3P/", false, "salts are at most 8"},
      {"apr1 without digest", "$apr1$DlGkQ.Cf$", false, "truncated"},
      {"sha512 rounds 10000",
       "$6$rounds=10000$rqGL6nehn7gRoR7t$gWB/V1k7Z.nrRn0zDtYpDCJD8eChYV8tLyZvoGkhPui/I/"
       "md0BWOA0owKpuqQ.IT50PwOPLTq8AzMiVOwE86a1",
       true, "htpasswd -5 -r 10000"},
      {"sha512 rounds 999999999",
       "$6$rounds=999999999$rqGL6nehn7gRoR7t$gWB/V1k7Z.nrRn0zDtYpDCJD8eChYV8tLyZvoGkhPui/I/"
       "md0BWOA0owKpuqQ.IT50PwOPLTq8AzMiVOwE86a1",
       false, "minutes per verification"},
      {"sha512 rounds 10",
       "$6$rounds=10$rqGL6nehn7gRoR7t$gWB/V1k7Z.nrRn0zDtYpDCJD8eChYV8tLyZvoGkhPui/I/"
       "md0BWOA0owKpuqQ.IT50PwOPLTq8AzMiVOwE86a1",
       false, "crypt(3) would clamp to 1000 and never match"},
      {"sha256 with a sha512-length digest",
       "$5$rqGL6nehn7gRoR7t$gWB/V1k7Z.nrRn0zDtYpDCJD8eChYV8tLyZvoGkhPui/I/"
       "md0BWOA0owKpuqQ.IT50PwOPLTq8AzMiVOwE86a1",
       false, "digest length belongs to the algorithm"},
      {"yescrypt default", "$y$j9T$YpesCajLY.BeP/76xCZyR/$b/i9MTLp.9fa2FDEHFZbcn3.qnpd3ic5K6/PuJyd5m1", true,
       "16 MiB"},
      {"yescrypt 1 GiB (mkpasswd -R 11)",
       "$y$jFT$eza7TBJeGCmkeIbMkZUHb.$bnR2prs.QpAYLH.MsLszClQ7qcPRsCLAEof9BdOhpU9", true,
       "exactly the limit"},
      {"yescrypt 2 GiB", "$y$jGT$eza7TBJeGCmkeIbMkZUHb.$bnR2prs.QpAYLH.MsLszClQ7qcPRsCLAEof9BdOhpU9", false,
       "above the memory limit"},
      {"yescrypt with bad params",
       "$y$!9T$eza7TBJeGCmkeIbMkZUHb.$bnR2prs.QpAYLH.MsLszClQ7qcPRsCLAEof9BdOhpU9", false,
       "params are crypt64"},
      {"argon2id 64 MiB",
       "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo", true,
       "RFC 9106 second recommendation, p=1"},
      {"argon2id 4 TiB", "$argon2id$v=19$m=4294967295,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcA",
       false, "memory limit"},
      {"argon2id 1000 passes",
       "$argon2id$v=19$m=65536,t=1000,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcA", false,
       "time limit"},
      {"argon2id short salt", "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$YWJjZGVmZ2hpamtsbW5vcA", false,
       "libargon2 needs 8 bytes"},
      {"argon2id version 18", "$argon2id$v=18$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcA",
       false, "only 0x10 and 0x13 exist"},
      {"argon2id missing p", "$argon2id$v=19$m=65536,t=3$c29tZXNhbHRzb21lc2FsdA$YWJjZGVmZ2hpamtsbW5vcA",
       false, "malformed"},
      {"{SHA}", "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=", true, "htpasswd -s"},
      {"{SHA} without padding", "{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY", false, "27 characters and '='"},
      {"DES", "5OzWD8wvN1Fzs", true, "checked for shape only"},
      {"plaintext", "plain-pw", true, "refused later, at verification"},
      {"plaintext with a control character", "plain\x01pw", false, "no client can send it"},
      {"empty", "", false, "an entry must have a hash"},
      {"unknown $ format", "$9$abc", false, "unsupported"},
  };
  for (const auto& c : cases) EXPECT_EQ(check_hash(c.hash).empty(), c.accepted) << c.name << ": " << c.why;
}

TEST(PasswordHash, CostPrefixNamesAlgorithmAndCostWithoutSalt) {
  struct Case {
    std::string hash;
    std::string expected;
  };
  const Case cases[] = {
      {bcrypt5, "$2y$05$"},
      {"$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/", "$apr1$"},
      {"$6$rounds=10000$rqGL6nehn7gRoR7t$x", "$6$rounds=10000$"},
      {"$5$ddYiH2AeciwftOUz$x", "$5$"},
      {"$y$j9T$YpesCajLY.BeP/76xCZyR/$x", "$y$j9T$"},
      {"$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$x", "$argon2id$v=19$m=65536,t=3,p=1$"},
      {"{SHA}NtOU43Co1JrOvDv98Av/fsQjVIY=", "{SHA}"},
      {"5OzWD8wvN1Fzs", ""},
      {"plain-pw", ""},
  };
  for (const auto& c : cases) EXPECT_EQ(cost_prefix(c.hash), c.expected) << c.hash;
}

TEST(PasswordHash, VerifiesEveryFormatApacheHtpasswdWrites) {
  for (const auto& [user, hash] : test::apache_entries()) {
    const bool weak = is_weak(classify_hash(hash));
    EXPECT_EQ(verify_password(apache_password(user), hash, weak), VerifyResult::match) << user;
    EXPECT_EQ(verify_password(apache_password(user) + "x", hash, weak), VerifyResult::mismatch) << user;
    EXPECT_EQ(verify_password("", hash, weak), VerifyResult::mismatch) << user;
  }
}

TEST(PasswordHash, VerifiesEveryFormatMkpasswdAndTheArgon2CliWrite) {
  const auto cases = test::tool_cases();
  ASSERT_GE(cases.size(), 12u);
  for (const auto& c : cases) {
    const bool weak = is_weak(classify_hash(c.hash));
    EXPECT_EQ(verify_password(c.password, c.hash, weak), VerifyResult::match) << c.method;
    EXPECT_EQ(verify_password("!" + c.password, c.hash, weak), VerifyResult::mismatch) << c.method;
    if (classify_hash(c.hash) == HashKind::des_crypt) continue;  // DES reads 8 bytes: "descrypt-pw!" matches
    EXPECT_EQ(verify_password(c.password + "!", c.hash, weak), VerifyResult::mismatch) << c.method;
  }
}

TEST(PasswordHash, DesCryptComparesOnlyEightBytesWhichIsWhyItIsWeak) {
  const std::string des = "5OzWD8wvN1Fzs";  // htpasswd -d, password "des-pw"
  EXPECT_EQ(verify_password("des-pw", des, true), VerifyResult::match);
  EXPECT_EQ(verify_password("des-pw", des, false), VerifyResult::unsupported);
}

TEST(PasswordHash, WeakFormatsAreUnsupportedWithoutAnyComputationUnlessAllowed) {
  const auto before = hash_computations(HashKind::plaintext);
  EXPECT_EQ(verify_password("plain-pw", "plain-pw"), VerifyResult::unsupported);
  EXPECT_EQ(hash_computations(HashKind::plaintext), before);
  EXPECT_EQ(verify_password("plain-pw", "plain-pw", true), VerifyResult::match);
  EXPECT_EQ(verify_password("plain-px", "plain-pw", true), VerifyResult::mismatch);
  EXPECT_EQ(hash_computations(HashKind::plaintext), before + 2);
}

TEST(PasswordHash, PasswordWithNulNeverMatchesEvenIfCryptWouldTruncateIt) {
  // crypt(3) reads a C string: "bcrypt4-pw\0tail" would be hashed as "bcrypt4-pw".
  const std::string hash = "$2y$04$kAex.Kt11LQzI7I2H9pZXe4crAr9vzwjLwVcrFzkzxGARSWOq8FnW";
  ASSERT_EQ(verify_password("bcrypt4-pw", hash), VerifyResult::match);
  EXPECT_EQ(verify_password(std::string("bcrypt4-pw\0tail", 15), hash), VerifyResult::mismatch);
}

TEST(PasswordHash, OverlongPasswordNeverMatchesAndIsNotHashed) {
  const std::string hash = "$5$ddYiH2AeciwftOUz$iOROnm.PrsQ4/OHXQxGEhrytLOCo0zpFPsWrB63u4D/";
  const auto before = hash_computations(HashKind::sha256_crypt);
  EXPECT_EQ(verify_password(std::string(max_password_bytes + 1, 'a'), hash), VerifyResult::mismatch);
  EXPECT_EQ(hash_computations(HashKind::sha256_crypt), before);
}

TEST(PasswordHash, MalformedOrTooCostlyHashIsMalformedNotComputed) {
  const auto before = hash_computations(HashKind::bcrypt);
  EXPECT_EQ(verify_password("x", "$2y$31$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS"),
            VerifyResult::malformed);
  EXPECT_EQ(verify_password("x", "$2y$05$short"), VerifyResult::malformed);
  EXPECT_EQ(verify_password("x", "$9$what"), VerifyResult::malformed);
  EXPECT_EQ(hash_computations(HashKind::bcrypt), before);
}

TEST(PasswordHash, CountsOneComputationPerVerification) {
  const std::string hash = "$apr1$DlGkQ.Cf$KK1BNIiI6UvSdN4bZxb3P/";
  const auto before = hash_computations(HashKind::apr1_md5);
  verify_password("apr1-pw", hash);
  verify_password("wrong", hash);
  EXPECT_EQ(hash_computations(HashKind::apr1_md5), before + 2);
}

TEST(PasswordHash, HashBcryptWritesApacheStyle2yWithTheRequestedCost) {
  const auto hash = hash_bcrypt("correct horse", 4);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(cost_prefix(*hash), "$2y$04$");
  EXPECT_TRUE(check_hash(*hash).empty());
  EXPECT_EQ(verify_password("correct horse", *hash), VerifyResult::match);
  EXPECT_EQ(verify_password("correct horsf", *hash), VerifyResult::mismatch);
}

TEST(PasswordHash, HashBcryptRefusesWhatBcryptWouldSilentlyTruncate) {
  EXPECT_FALSE(hash_bcrypt(std::string(73, 'a'), 4).has_value()) << "bcrypt ignores bytes after the 72nd";
  EXPECT_TRUE(hash_bcrypt(std::string(72, 'a'), 4).has_value());
  EXPECT_FALSE(hash_bcrypt(std::string("a\0b", 3), 4).has_value());
  EXPECT_FALSE(hash_bcrypt("pw", 3).has_value());
  EXPECT_FALSE(hash_bcrypt("pw", 18).has_value());
}

TEST(PasswordHash, Argon2idRoundTripsThroughLibargon2) {
  Argon2Params params;
  params.memory_kib = 1024;  // small: a unit test, not a deployment
  params.time_cost = 1;
  const auto hash = hash_argon2id("pässwörd", params);
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(classify_hash(*hash), HashKind::argon2id);
  EXPECT_EQ(cost_prefix(*hash), "$argon2id$v=19$m=1024,t=1,p=1$");
  EXPECT_TRUE(check_hash(*hash).empty()) << check_hash(*hash);
  EXPECT_EQ(verify_password("pässwörd", *hash), VerifyResult::match);
  EXPECT_EQ(verify_password("passwort", *hash), VerifyResult::mismatch);
}

TEST(PasswordHash, DefaultArgon2idParametersAreTheDocumentedOnes) {
  const auto hash = hash_argon2id("pw");
  ASSERT_TRUE(hash.has_value());
  EXPECT_EQ(cost_prefix(*hash), "$argon2id$v=19$m=65536,t=3,p=1$");
  EXPECT_EQ(verify_password("pw", *hash), VerifyResult::match);
}

TEST(PasswordHash, Sha512CryptOmitsDefaultRoundsAndWritesOthers) {
  const auto plain = hash_sha512_crypt("pw");
  const auto more = hash_sha512_crypt("pw", 6000);
  ASSERT_TRUE(plain && more);
  EXPECT_EQ(cost_prefix(*plain), "$6$");
  EXPECT_EQ(cost_prefix(*more), "$6$rounds=6000$");
  EXPECT_EQ(verify_password("pw", *more), VerifyResult::match);
  EXPECT_FALSE(hash_sha512_crypt("pw", 999).has_value());
}

TEST(PasswordHash, HashLikeKeepsAlgorithmAndCostOfItsModel) {
  std::vector<std::string> models;
  for (const auto& [user, hash] : test::apache_entries()) models.push_back(hash);
  for (const auto& c : test::tool_cases()) models.push_back(c.hash);
  Argon2Params small;
  small.memory_kib = 512;
  small.time_cost = 2;
  models.push_back(*hash_argon2id("x", small));
  for (const auto& model : models) {
    const auto like = hash_like("another password", model);
    ASSERT_TRUE(like.has_value()) << model;
    EXPECT_EQ(classify_hash(*like), classify_hash(model)) << model;
    EXPECT_EQ(cost_prefix(*like), cost_prefix(model)) << model;
    const bool weak = is_weak(classify_hash(model));
    EXPECT_EQ(verify_password("another password", *like, weak), VerifyResult::match) << model;
  }
  EXPECT_FALSE(hash_like("x", "$2y$31$BE1.3GDX2GawOlLpEcIkpuElS4bXBSCu0y/8pHs4vS6mLGjG6rYUS").has_value());
}

}  // namespace
}  // namespace authgate::stores
