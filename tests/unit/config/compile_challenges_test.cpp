// fixed_challenges_of(): a route's 401 challenges rendered once at load, in realm order, exactly as the
// request path would render them; none when a scheme varies them (a Digest nonce) or there is no realm.
#include "config/compile_challenges.hpp"

#include <gtest/gtest.h>

#include "authgate/jose/jwks.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/schemes/digest.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "authgate/stores/memory_state_store.hpp"

namespace authgate::config::detail {
namespace {

struct Schemes {
  Schemes() {
    auto users = stores::parse_htpasswd("alice:{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=\n", "users", "", "g", 1);
    basic = schemes::make_basic_scheme({"Staff area", true, {}}, *users);
    bearer = schemes::make_bearer_scheme({"API", "read write", {}}, std::make_shared<jose::LiveKeySet>());
    schemes::DigestOptions options;
    options.realm = "testrealm@host.com";
    options.secret = std::string(32, 'x');
    digest = schemes::make_digest_scheme(options, *stores::parse_digest_store("", "d", 1),
                                         stores::make_memory_state_store(std::make_shared<SystemClock>()));
  }
  std::shared_ptr<const Scheme> basic, bearer, digest;
};

TEST(FixedChallenges, AreRenderedInRealmOrderOnceAndAsOneList) {
  const Schemes s;
  const std::vector<const Scheme*> route{s.basic.get(), s.bearer.get()};
  const auto fixed = fixed_challenges_of(route);
  ASSERT_TRUE(fixed.has_value());
  EXPECT_EQ(fixed->values, (std::vector<std::string>{R"(Basic realm="Staff area", charset="UTF-8")",
                                                     R"(Bearer realm="API", scope="read write")"}));
  EXPECT_EQ(fixed->joined,
            R"(Basic realm="Staff area", charset="UTF-8", Bearer realm="API", scope="read write")");
}

TEST(FixedChallenges, ADigestRealmsFreshNonceLeavesTheRouteToTheRequestPath) {
  const Schemes s;
  EXPECT_TRUE(s.digest->challenges_vary());
  EXPECT_FALSE(s.basic->challenges_vary());
  const std::vector<const Scheme*> route{s.basic.get(), s.digest.get()};
  EXPECT_FALSE(fixed_challenges_of(route).has_value());
}

TEST(FixedChallenges, AnAnonymousRouteHasNone) {
  EXPECT_FALSE(fixed_challenges_of(std::vector<const Scheme*>{}).has_value());
}

}  // namespace
}  // namespace authgate::config::detail
