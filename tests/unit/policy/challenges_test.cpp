// Challenge collection: which challenges go with a Decision, in realm order (RFC 9110 §11.6.1).
#include "authgate/policy/challenges.hpp"

#include <gtest/gtest.h>

#include <string>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::policy {
namespace {

class FakeScheme final : public Scheme {
 public:
  FakeScheme(std::string name, std::string realm) : name_(std::move(name)), realm_(std::move(realm)) {}
  std::string_view name() const noexcept override { return name_; }
  grammar::Challenge challenge(const ChallengeContext&) const override {
    return {name_, std::nullopt, {{"realm", realm_}, {"charset", "UTF-8"}}};
  }
  Work work(const grammar::Credentials&) const noexcept override { return Work::pure; }
  bool is_cacheable() const noexcept override { return false; }
  Outcome authenticate(const grammar::Credentials&, const RequestFacts&) const override {
    return NoCredentials{};
  }
  std::uint64_t generation() const noexcept override { return 1; }

 private:
  std::string name_;
  std::string realm_;
};

TEST(CollectChallenges, AllMeansOnePerRealmInOrder) {
  FakeScheme basic{"Basic", "staff"};
  FakeScheme bearer{"Bearer", "api"};
  const Scheme* schemes[] = {&basic, &bearer};
  Decision decision;
  decision.status = 401;
  decision.challenges = ChallengeSet::all;
  const auto challenges = collect_challenges(decision, schemes, {});
  ASSERT_EQ(challenges.size(), 2u);
  EXPECT_EQ(challenges[0].scheme, "Basic");
  EXPECT_EQ(challenges[1].scheme, "Bearer");
}

TEST(CollectChallenges, TheOutcomeSchemeGetsTheExtraParamsOnce) {
  FakeScheme basic{"Basic", "staff"};
  FakeScheme bearer{"Bearer", "api"};
  FakeScheme bearer2{"Bearer", "api2"};
  const Scheme* schemes[] = {&basic, &bearer, &bearer2};
  Decision decision;
  decision.status = 401;
  decision.challenges = ChallengeSet::all;
  decision.scheme = "bearer";
  decision.extra_params = {{"error", "invalid_token"}, {"realm", "override"}};
  const auto challenges = collect_challenges(decision, schemes, {});
  ASSERT_EQ(challenges.size(), 3u);
  EXPECT_EQ(challenges[0].params.size(), 2u) << "Basic untouched";
  EXPECT_EQ(*grammar::find_param(challenges[1].params, "error"), "invalid_token");
  EXPECT_EQ(*grammar::find_param(challenges[1].params, "realm"), "override") << "replaced, not duplicated";
  EXPECT_EQ(grammar::find_param(challenges[2].params, "error"), nullptr) << "only the first";
}

TEST(CollectChallenges, OutcomeSchemeOnlyAndNone) {
  FakeScheme basic{"Basic", "staff"};
  FakeScheme bearer{"Bearer", "api"};
  const Scheme* schemes[] = {&basic, &bearer};
  Decision decision;
  decision.status = 400;
  decision.challenges = ChallengeSet::outcome_scheme;
  decision.scheme = "Bearer";
  auto challenges = collect_challenges(decision, schemes, {});
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Bearer");
  decision.challenges = ChallengeSet::none;
  EXPECT_TRUE(collect_challenges(decision, schemes, {}).empty());
}

}  // namespace
}  // namespace authgate::policy
