// access_token in a query or form (RFC 6750 §2.2, §2.3).
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "schemes/bearer/access_token.hpp"

namespace authgate::schemes {
namespace {

struct TokenCase {
  std::string name;
  std::string query;
  std::optional<std::vector<std::string>> tokens;
  std::string forwarded;  // without_access_token(query)
  std::string why;
};

class AccessTokenTest : public ::testing::TestWithParam<TokenCase> {};

TEST_P(AccessTokenTest, IsFoundAndRemoved) {
  const TokenCase& c = GetParam();
  EXPECT_EQ(access_tokens_in(c.query), c.tokens) << c.why;
  EXPECT_EQ(without_access_token(c.query), c.forwarded) << c.why;
}

using V = std::vector<std::string>;
INSTANTIATE_TEST_SUITE_P(
    Queries, AccessTokenTest,
    ::testing::Values(
        TokenCase{"NoParameters", "", V{}, "", "nothing to find"},
        TokenCase{"OnlyTheToken", "access_token=abc.def.ghi", V{"abc.def.ghi"}, "", "nothing left: no '?'"},
        TokenCase{"AmongOthers", "a=1&access_token=t0k&b=2", V{"t0k"}, "a=1&b=2", "others byte for byte"},
        TokenCase{"OthersAreNotDecoded", "q=a%20b+c&access_token=x", V{"x"}, "q=a%20b+c",
                  "forwarded as sent"},
        TokenCase{"PercentAndPlusDecoded", "access_token=a%2Eb+c", V{"a.b c"}, "", "form-urlencoded"},
        TokenCase{"Twice", "access_token=a&access_token=b", V{"a", "b"}, "",
                  "two tokens: the caller refuses"},
        TokenCase{"EmptyValue", "access_token=", V{""}, "", "present but empty"},
        TokenCase{"NameOnly", "access_token", V{""}, "", "no '=' is an empty value"},
        TokenCase{"SimilarNamesAreNotIt", "access_tokens=a&xaccess_token=b&Access_Token=c", V{},
                  "access_tokens=a&xaccess_token=b&Access_Token=c", "exact name only"},
        TokenCase{"BrokenEscape", "access_token=a%2", std::nullopt, "", "malformed → invalid_request"},
        TokenCase{"BadHex", "access_token=%zz", std::nullopt, "", "malformed → invalid_request"},
        TokenCase{"EmptyPartsDropped", "&&a=1&&access_token=t&", V{"t"}, "a=1",
                  "stray '&' need not survive"}),
    [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace authgate::schemes
