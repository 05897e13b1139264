// The answer of a decision that allows the original request, byte for byte.
#include "http/decision_reply.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace authgate::gateway {
namespace {

constexpr const char* date = "Sun, 06 Nov 1994 08:49:37 GMT";

TEST(RenderAllowedDecision, CarriesTheIdentityForTheFrontProxyToCopy) {
  const IdentityHeaders names;
  Identity alice;
  alice.user = "alice";
  alice.groups = {"admins", "staff"};
  alice.scheme = "Digest";
  const std::vector<ResponseField> fields{{"Authentication-Info", "rspauth=\"ab\""}};
  AllowedDecision answer;
  answer.names = &names;
  answer.identity = &alice;
  answer.fields = fields;
  answer.date = date;
  EXPECT_EQ(render_allowed_decision(answer),
            "HTTP/1.1 200 OK\r\n"
            "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n"
            "Cache-Control: no-store\r\n"
            "X-Auth-User: alice\r\n"
            "X-Auth-Groups: admins,staff\r\n"
            "X-Auth-Scheme: Digest\r\n"
            "Authentication-Info: rspauth=\"ab\"\r\n"
            "Content-Length: 0\r\n"
            "\r\n");
}

TEST(RenderAllowedDecision, AnAnonymousRouteSendsEmptyIdentityFields) {
  // Why: a front proxy that copies these fields then overwrites a client's spoofed X-Auth-User with
  // nothing, instead of leaving it in place for the app to believe.
  IdentityHeaders names;
  names.user = "Remote-User";
  AllowedDecision answer;
  answer.names = &names;
  answer.keep_alive = false;
  answer.report_status = true;
  EXPECT_EQ(render_allowed_decision(answer),
            "HTTP/1.1 200 OK\r\n"
            "Cache-Control: no-store\r\n"
            "Remote-User: \r\n"
            "X-Auth-Groups: \r\n"
            "X-Auth-Scheme: \r\n"
            "X-Authgate-Status: 200\r\n"
            "Content-Length: 0\r\n"
            "Connection: close\r\n"
            "\r\n");
}

TEST(RenderAllowedDecision, Http10ClientsThatKeepTheConnectionAreToldSo) {
  const IdentityHeaders names;
  AllowedDecision answer;
  answer.names = &names;
  answer.client_version = 10;  // nginx talks HTTP/1.0 to auth_request unless told otherwise
  EXPECT_NE(render_allowed_decision(answer).find("Connection: keep-alive\r\n"), std::string::npos);
}

}  // namespace
}  // namespace authgate::gateway
