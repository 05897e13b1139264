// Apache AuthGroupFile parsing.
#include "authgate/stores/group_file.hpp"

#include <gtest/gtest.h>

namespace authgate::stores {
namespace {

using Groups = std::vector<std::string>;

TEST(GroupFile, MapsEachUserToTheSortedGroupsNamingThem) {
  auto groups = parse_group_file("staff: bob alice\nadmins: alice\n# c\n\nstaff: carol alice\n", "g");
  ASSERT_TRUE(groups.has_value()) << groups.error().to_string();
  EXPECT_EQ((*groups)["alice"], (Groups{"admins", "staff"})) << "listed twice in staff, once in the result";
  EXPECT_EQ((*groups)["bob"], (Groups{"staff"}));
  EXPECT_EQ((*groups)["carol"], (Groups{"staff"}));
  EXPECT_EQ(groups->size(), 3u);
}

TEST(GroupFile, AcceptsQuotedMembersTabsCrlfAndEmptyGroupsLikeApGetwordConf) {
  auto groups = parse_group_file("team :\t\"john doe\"  'o\\'brien'\tx\r\nempty:\r\n", "g");
  ASSERT_TRUE(groups.has_value()) << groups.error().to_string();
  EXPECT_EQ((*groups)["john doe"], (Groups{"team"}));
  EXPECT_EQ((*groups)["o'brien"], (Groups{"team"}));
  EXPECT_EQ((*groups)["x"], (Groups{"team"}));
}

TEST(GroupFile, BrokenLinesRefuseTheFile) {
  struct Case {
    const char* name;
    std::string content;
    int line;
    int column;
    const char* reason;
  };
  const Case cases[] = {
      {"no colon", "ok: a\nadmins alice", 2, 13, "expected 'group: users'"},
      {"empty group name", ": alice", 1, 1, "empty group name"},
      {"unterminated quote", "g: a \"bob", 1, 6, "unterminated quote"},
      {"empty quoted member", "g: \"\"", 1, 4, "empty user name"},
      {"control character", "g: a\x01", 1, 4, "control character in user name"},
      // Issue 11 F4: X-Auth-Groups is a comma-separated list; "users,admins" would be two groups.
      {"comma in a group", "users,admins: alice", 1, 1,
       "',' in a group name: X-Auth-Groups is a comma-separated list"},
      {"space at a quoted member's end", "g: \"alice \"", 1, 4, "user name starts or ends with whitespace"},
      {"indented group keeps its column", "ok: a\n\tg\x01: b", 2, 2, "control character in group name"},
  };
  for (const auto& c : cases) {
    auto groups = parse_group_file(c.content, "g");
    ASSERT_FALSE(groups.has_value()) << c.name;
    EXPECT_EQ(groups.error().line, c.line) << c.name;
    EXPECT_EQ(groups.error().column, c.column) << c.name << ": " << groups.error().to_string();
    EXPECT_EQ(groups.error().reason, c.reason) << c.name;
  }
}

}  // namespace
}  // namespace authgate::stores
