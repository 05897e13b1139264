// The responses the gateway writes itself, byte for byte.
#include "http/local_reply.hpp"

#include "http/error_page.hpp"

#include <gtest/gtest.h>

#include <string>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

namespace authgate::gateway {
namespace {

std::string bytes(const RenderedReply& reply) { return std::string{reply.wire.begin(), reply.wire.end()}; }

// The rendered bytes read back by Beast's parser: what a client sees.
http::response<http::string_body> parsed(const RenderedReply& reply) {
  http::response_parser<http::string_body> parser;
  parser.eager(true);  // head and body in one put()
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

TEST(RenderLocalReply, ABrowserGetsAnHtmlPageWithItsChallengesIntact) {
  LocalReply reply;
  reply.status = 401;
  reply.date = date;
  reply.html = true;
  reply.challenges = {{"Basic", std::nullopt, {{"realm", "staff"}}}};
  const auto rendered = render_local_reply(reply);
  const auto response = parsed(rendered);
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(response[http::field::www_authenticate], "Basic realm=\"staff\"")
      << "the browser's prompt still comes";
  EXPECT_EQ(response[http::field::cache_control], "no-store");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response["Content-Security-Policy"], "default-src 'none'; style-src 'unsafe-inline'");
  const std::string& body = response.body();
  EXPECT_EQ(rendered.body_bytes, body.size());
  EXPECT_EQ(body.rfind("<!DOCTYPE html>\n<html lang=\"en\">", 0), 0u);
  EXPECT_NE(body.find("<title>401 Unauthorized</title>"), std::string::npos);
  EXPECT_NE(body.find("<main>\n<h1>401 Unauthorized</h1>\n<p>This page needs you to sign in."),
            std::string::npos);
}

TEST(RenderLocalReply, EveryHtmlPageNamesItsStatusAndWhatToDo) {
  for (const int status : {400, 401, 403, 404, 405, 407, 408, 413, 414, 429, 431, 500, 502, 503, 504}) {
    LocalReply reply;
    reply.status = status;
    reply.html = true;
    reply.retry_after = std::chrono::seconds(30);
    reply.side = status == 407 ? policy::Side::proxy : policy::Side::origin;
    const auto response = parsed(render_local_reply(reply));
    const std::string title =
        std::to_string(status) + " " + std::string(http::obsolete_reason(static_cast<http::status>(status)));
    EXPECT_NE(response.body().find("<h1>" + title + "</h1>\n<p>"), std::string::npos) << status;
    if (status == 429 || status == 503) {
      EXPECT_NE(response.body().find("Wait 30 seconds, then try again."), std::string::npos) << status;
    }
  }
}

TEST(RenderLocalReply, AnOperatorsPageIsSentAsItIsWithTheChallengesAndTheRetryAfter) {
  const std::string custom = "<!DOCTYPE html>\n<title>Slow down</title>\n<p>Caf\xc3\xa9 closed</p>\n";
  LocalReply reply;
  reply.status = 429;
  reply.date = date;
  reply.html = true;
  reply.custom_page = &custom;
  reply.retry_after = std::chrono::seconds(7);
  EXPECT_EQ(bytes(render_local_reply(reply)),
            "HTTP/1.1 429 Too Many Requests\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/html; charset=utf-8\r\n"
            "X-Content-Type-Options: nosniff\r\n"
            "Content-Security-Policy: default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' "
            "data:; font-src 'self' data:\r\n"
            "Retry-After: 7\r\n"
            "Content-Length: " +
                std::to_string(custom.size()) + "\r\n\r\n" + custom);
}

TEST(RenderLocalReply, AnOperatorsPageGoesOnlyToClientsThatPreferHtml) {
  const std::string custom = "<p>members only</p>";
  LocalReply reply;
  reply.status = 401;
  reply.custom_page = &custom;
  reply.challenges = {{"Basic", std::nullopt, {{"realm", "staff"}}}};
  const auto plain = parsed(render_local_reply(reply));
  EXPECT_EQ(plain.body(), "401 Unauthorized\n") << "curl and API clients keep the plain answer";
  reply.html = true;
  reply.head = true;
  const auto head = render_local_reply(reply);
  EXPECT_EQ(head.body_bytes, 0u);
  EXPECT_NE(std::string_view{head.wire}.find("Content-Length: " + std::to_string(custom.size()) + "\r\n"),
            std::string::npos);
  EXPECT_NE(std::string_view{head.wire}.find("WWW-Authenticate: Basic realm=\"staff\"\r\n"),
            std::string::npos)
      << "the browser's prompt still comes";
}

TEST(RenderLocalReply, ChallengesRenderedAtLoadAreTheSameBytesAsChallengesBuiltPerRequest) {
  const std::vector<grammar::Challenge> challenges = {
      {"Basic", std::nullopt, {{"realm", "staff"}, {"charset", "UTF-8"}}},
      {"Bearer", std::nullopt, {{"realm", "api"}}}};
  const RenderedChallenges rendered{{R"(Basic realm="staff", charset="UTF-8")", R"(Bearer realm="api")"},
                                    R"(Basic realm="staff", charset="UTF-8", Bearer realm="api")"};
  for (const bool one_field : {false, true}) {
    for (const auto side : {policy::Side::origin, policy::Side::proxy}) {
      LocalReply built;
      built.status = side == policy::Side::proxy ? 407 : 401;
      built.side = side;
      built.date = date;
      built.one_challenge_field = one_field;
      built.challenges = challenges;
      LocalReply ready = built;
      ready.challenges.clear();
      ready.rendered_challenges = &rendered;
      EXPECT_EQ(bytes(render_local_reply(ready)), bytes(render_local_reply(built))) << one_field;
    }
  }
}

TEST(RenderLocalReply, PagesRenderedOncePerProcessAreThePagesRenderedEachTime) {
  for (const int status : {400, 401, 403, 404, 405, 407, 408, 413, 414, 431, 500, 501, 502, 504, 505}) {
    for (const auto side : {policy::Side::origin, policy::Side::proxy}) {
      const std::string* fixed = fixed_error_page(status, side);
      ASSERT_NE(fixed, nullptr) << status;
      EXPECT_EQ(*fixed, error_page_html(status, http::obsolete_reason(static_cast<http::status>(status)),
                                        std::chrono::seconds(0), side));
    }
  }
  EXPECT_EQ(fixed_error_page(429, policy::Side::origin), nullptr) << "names the wait";
  EXPECT_EQ(fixed_error_page(503, policy::Side::origin), nullptr) << "names the wait";
}

TEST(RenderLocalReply, HeadOfAnHtmlPageHasItsLengthAndNoBody) {
  LocalReply reply;
  reply.status = 403;
  reply.html = true;
  reply.head = true;
  const auto rendered = render_local_reply(reply);
  LocalReply get = reply;
  get.head = false;
  const auto full = render_local_reply(get);
  EXPECT_EQ(rendered.body_bytes, 0u);
  EXPECT_EQ(rendered.wire, full.wire.substr(0, full.wire.size() - full.body_bytes));
}

TEST(RenderLocalReply, NginxCompatPagesSayTheMeantStatus) {
  LocalReply reply;
  reply.status = 403;
  reply.meant_status = 429;
  reply.html = true;
  reply.retry_after = std::chrono::seconds(5);
  EXPECT_NE(parsed(render_local_reply(reply)).body().find("<h1>429 Too Many Requests</h1>"),
            std::string::npos);
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

TEST(HttpDate, IsImfFixdate) {
  EXPECT_EQ(http_date(std::chrono::system_clock::from_time_t(784111777)), "Sun, 06 Nov 1994 08:49:37 GMT");
}

}  // namespace
}  // namespace authgate::gateway

namespace authgate::gateway {
namespace {

// Forward-auth's nginx_compat: nginx auth_request passes on only 401 and 403, and only the first
// WWW-Authenticate line of a 401 (docs/forward-auth.md).
TEST(RenderLocalReply, ForNginxTheChallengesShareOneLineAndTheStatusIsReported) {
  LocalReply reply;
  reply.status = 401;
  reply.meant_status = 401;
  reply.one_challenge_field = true;
  reply.date = date;
  reply.challenges = {{"Basic", std::nullopt, {{"realm", "staff"}}},
                      {"Bearer", std::nullopt, {{"realm", "api"}}}};
  EXPECT_EQ(bytes(render_local_reply(reply)),
            "HTTP/1.1 401 Unauthorized\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Cache-Control: no-store\r\n"
            "WWW-Authenticate: Basic realm=\"staff\", Bearer realm=\"api\"\r\n"
            "X-Authgate-Status: 401\r\n"
            "Content-Length: 17\r\n"
            "\r\n"
            "401 Unauthorized\n");
}

TEST(RenderLocalReply, ForNginxA503TravelsAsA403ThatStillSaysWhenToRetry) {
  LocalReply reply;
  reply.status = 403;
  reply.meant_status = 503;
  reply.retry_after = std::chrono::seconds{7};
  const auto response = parsed(render_local_reply(reply));
  EXPECT_EQ(response.result_int(), 403);
  EXPECT_EQ(response["X-Authgate-Status"], "503");
  EXPECT_EQ(response["Retry-After"], "7");
  EXPECT_EQ(response["Cache-Control"], "no-store");
}

}  // namespace
}  // namespace authgate::gateway

namespace authgate::gateway {
namespace {

// The reply is written into room sized beforehand, with no check per piece: every option at once, at its
// longest, still fits (a bound that fell short would abort the test).
TEST(RenderLocalReply, EveryOptionAtOnceFitsTheRoomSizedForIt) {
  const std::string custom(5000, 'x');
  for (const int status : {401, 407, 429, 503, 599, 100, 999}) {
    for (const bool html : {false, true}) {
      for (const bool one_field : {false, true}) {
        LocalReply reply;
        reply.status = status;
        reply.meant_status = 503;
        reply.date = date;
        reply.html = html;
        reply.custom_page = status == 429 ? &custom : nullptr;
        reply.side = policy::Side::proxy;
        reply.keep_alive = true;
        reply.client_version = 10;
        reply.one_challenge_field = one_field;
        reply.retry_after = std::chrono::seconds::max();
        for (int i = 0; i < 12; ++i)
          reply.challenges.push_back({"Digest", std::nullopt, {{"realm", std::string(300, 'r')}}});
        const auto rendered = render_local_reply(reply);
        const auto text = bytes(rendered);
        EXPECT_NE(text.find("Proxy-Authenticate: Digest realm="), std::string::npos) << status;
        EXPECT_NE(text.find("X-Authgate-Status: 503\r\n"), std::string::npos) << status;
        EXPECT_NE(text.find("Connection: keep-alive\r\n"), std::string::npos) << status;
      }
    }
  }
}

}  // namespace
}  // namespace authgate::gateway
