// claims_in_use(): the claims a verified token's Identity keeps, so a new token copies only what some
// route reads (its `claims`) and `jti` (the deny-list), each name once.
#include <gtest/gtest.h>

#include "config/compile_bearer.hpp"

namespace authgate::config::detail {
namespace {

Route route_asking(std::map<std::string, std::vector<std::string>, std::less<>> claims) {
  Route route;
  route.claims = std::move(claims);
  return route;
}

TEST(ClaimsInUse, AreJtiAndEveryClaimARouteAsksForOnce) {
  Config config;
  EXPECT_EQ(claims_in_use(config), std::vector<std::string>{"jti"}) << "the deny-list reads jti";
  config.routes.push_back(route_asking({{"team", {"blue"}}, {"tier", {}}}));
  config.routes.push_back(route_asking({}));
  config.routes.push_back(route_asking({{"team", {"red"}}, {"jti", {}}, {"email_verified", {"true"}}}));
  EXPECT_EQ(claims_in_use(config), (std::vector<std::string>{"jti", "team", "tier", "email_verified"}));
}

}  // namespace
}  // namespace authgate::config::detail
