// The responses the gateway writes itself, byte for byte.
#include "gateway/local_reply.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace authgate::gateway {
namespace {

class FakeScheme final : public Scheme {
 public:
  FakeScheme(std::string name, std::string realm) : name_(std::move(name)), realm_(std::move(realm)) {}
  std::string_view name() const noexcept override { return name_; }
  grammar::Challenge challenge(const ChallengeContext&) const override {
    return {name_, std::nullopt, {{"realm", realm_}, {"charset", "UTF-8"}}};
  }
  bool is_expensive(const grammar::Credentials&) const noexcept override { return false; }
  bool is_cacheable() const noexcept override { return false; }
  Outcome authenticate(const grammar::Credentials&, const RequestFacts&) const override {
    return NoCredentials{};
  }
  std::uint64_t generation() const noexcept override { return 1; }

 private:
  std::string name_;
  std::string realm_;
};

std::string bytes(const RenderedReply& reply) { return reply.wire; }

// The rendered bytes read back by Beast's parser: what a client sees.
http::response<http::string_body> parsed(const RenderedReply& reply) {
  http::response_parser<http::string_body> parser;
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(reply.wire), ec);
  EXPECT_FALSE(ec) << ec.message();
  return parser.release();
}

constexpr const char* date = "Sun, 06 Nov 1994 08:49:37 GMT";

TEST(RenderLocalReply, A401CarriesEveryChallengeOnItsOwnLine) {
  LocalReply reply;
  reply.status = 401;
  reply.date = date;
  reply.challenges = {{"Basic", std::nullopt, {{"realm", "staff"}, {"charset", "UTF-8"}}},
                      {"Bearer", std::nullopt, {{"realm", "api"}}}};
  EXPECT_EQ(bytes(render_local_reply(reply)),
            "HTTP/1.1 401 Unauthorized\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "WWW-Authenticate: Basic realm=\"staff\", charset=\"UTF-8\"\r\n"
            "WWW-Authenticate: Bearer realm=\"api\"\r\n"
            "Content-Length: 17\r\n"
            "\r\n"
            "401 Unauthorized\n");
}

TEST(RenderLocalReply, HeadGetsTheSameFieldsAndLengthWithoutABody) {
  LocalReply reply;
  reply.status = 403;
  reply.head = true;
  reply.date = date;
  EXPECT_EQ(bytes(render_local_reply(reply)),
            "HTTP/1.1 403 Forbidden\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "Content-Length: 14\r\n"
            "\r\n");
}

TEST(RenderLocalReply, ClosingConnectionsSayClose) {
  LocalReply reply;
  reply.status = 400;
  reply.keep_alive = false;
  reply.date = date;
  EXPECT_EQ(bytes(render_local_reply(reply)),
            "HTTP/1.1 400 Bad Request\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 16\r\n"
            "Connection: close\r\n"
            "\r\n"
            "400 Bad Request\n");
}

TEST(RenderLocalReply, Http10ClientsThatKeepTheConnectionAreToldSo) {
  LocalReply reply;
  reply.status = 404;
  reply.client_version = 10;
  const auto response = parsed(render_local_reply(reply));
  EXPECT_EQ(response[http::field::connection], "keep-alive");
}

TEST(RenderLocalReply, BusyAndThrottledRepliesSayWhenToRetry) {
  LocalReply busy;
  busy.status = 503;
  EXPECT_EQ(parsed(render_local_reply(busy))[http::field::retry_after], "1") << "at least one second";
  LocalReply throttled;
  throttled.status = 429;
  throttled.retry_after = std::chrono::seconds(30);
  EXPECT_EQ(parsed(render_local_reply(throttled))[http::field::retry_after], "30");
  LocalReply not_found;
  not_found.status = 404;
  EXPECT_EQ(parsed(render_local_reply(not_found)).count(http::field::retry_after), 0u);
  EXPECT_EQ(parsed(render_local_reply(not_found)).count(http::field::cache_control), 0u);
}

TEST(RenderLocalReply, ProxySideUsesProxyAuthenticate) {
  LocalReply reply;
  reply.status = 407;
  reply.side = policy::Side::proxy;
  reply.challenges = {{"Basic", std::nullopt, {{"realm", "p"}}}};
  const auto response = parsed(render_local_reply(reply));
  EXPECT_EQ(response[http::field::proxy_authenticate], "Basic realm=\"p\"");
  EXPECT_EQ(response.count(http::field::www_authenticate), 0u);
}

TEST(CollectChallenges, AllMeansOnePerRealmInOrder) {
  FakeScheme basic{"Basic", "staff"};
  FakeScheme bearer{"Bearer", "api"};
  const Scheme* schemes[] = {&basic, &bearer};
  policy::Decision decision;
  decision.status = 401;
  decision.challenges = policy::ChallengeSet::all;
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
  policy::Decision decision;
  decision.status = 401;
  decision.challenges = policy::ChallengeSet::all;
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
  policy::Decision decision;
  decision.status = 400;
  decision.challenges = policy::ChallengeSet::outcome_scheme;
  decision.scheme = "Bearer";
  auto challenges = collect_challenges(decision, schemes, {});
  ASSERT_EQ(challenges.size(), 1u);
  EXPECT_EQ(challenges[0].scheme, "Bearer");
  decision.challenges = policy::ChallengeSet::none;
  EXPECT_TRUE(collect_challenges(decision, schemes, {}).empty());
}

TEST(HttpDate, IsImfFixdate) {
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace authgate::gateway
