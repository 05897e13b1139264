// The original request of a forward-auth decision, read from the front proxy's fields: one style per
// listener, every field once, the target normalised as the reverse proxy normalises it.
#include "http/original_request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace authgate::gateway {
namespace {

using FieldList = std::vector<std::pair<std::string, std::string>>;

RequestHead request_with(const FieldList& fields, std::string target = "/",
                         http::verb method = http::verb::get) {
  RequestHead request;
  request.method(method);
  request.target(target);
  for (const auto& [name, value] : fields) request.insert(name, value);
  return request;
}

const FieldList traefik = {{"X-Forwarded-Method", "POST"},
                           {"X-Forwarded-Proto", "https"},
                           {"X-Forwarded-Host", "App.Example:8443"},
                           {"X-Forwarded-Uri", "/public/../admin?x=1"}};

FieldList without(FieldList fields, const std::string& name) {
  std::erase_if(fields, [&](const auto& field) { return field.first == name; });
  return fields;
}
FieldList with(FieldList fields, const std::string& name, const std::string& value) {
  fields.emplace_back(name, value);
  return fields;
}
FieldList replaced(const FieldList& fields, const std::string& name, const std::string& value) {
  return with(without(fields, name), name, value);
}

TEST(OriginalRequest, XForwardedGivesMethodSchemeHostAndTheNormalisedTarget) {
  const auto original = read_original_request(request_with(traefik), OriginalStyle::x_forwarded, "", 8192);
  ASSERT_TRUE(original.has_value()) << to_string(original.error());
  EXPECT_EQ(original->method, "POST");
  EXPECT_TRUE(original->secure);
  EXPECT_EQ(original->host_field, "App.Example:8443");
  EXPECT_EQ(original->host, "app.example");
  EXPECT_EQ(original->target, "/public/../admin?x=1");  // as sent: what Digest's uri names
  EXPECT_EQ(original->parsed.path, "/admin");           // what routes match: never /public
  EXPECT_EQ(original->parsed.query, "x=1");
}

TEST(OriginalRequest, XOriginalReadsTheAbsoluteUrlNginxBuilds) {
  const auto request = request_with({{"X-Original-Method", "GET"},
                                     {"X-Original-URL", "http://app.example/private/%61?q"},
                                     {"X-Forwarded-Uri", "/public"}});  // another style's field: ignored
  const auto original = read_original_request(request, OriginalStyle::x_original, "", 8192);
  ASSERT_TRUE(original.has_value()) << to_string(original.error());
  EXPECT_FALSE(original->secure);
  EXPECT_EQ(original->host, "app.example");
  EXPECT_EQ(original->parsed.path, "/private/a");
  EXPECT_TRUE(original->parsed.has_query);
}

TEST(OriginalRequest, XOriginalWithoutAPathIsTheRoot) {
  const auto request = request_with({{"X-Original-Method", "GET"}, {"X-Original-URL", "https://h:1?a=b"}});
  const auto original = read_original_request(request, OriginalStyle::x_original, "", 8192);
  ASSERT_TRUE(original.has_value()) << to_string(original.error());
  EXPECT_EQ(original->target, "/?a=b");
  EXPECT_EQ(original->parsed.path, "/");
}

TEST(OriginalRequest, EnvoyStripsThePathPrefixOnASegmentBoundary) {
  auto request = request_with({{"Host", "app.example"}}, "/authz/admin/x?y", http::verb::delete_);
  const auto original = read_original_request(request, OriginalStyle::envoy, "/authz", 8192);
  ASSERT_TRUE(original.has_value()) << to_string(original.error());
  EXPECT_EQ(original->method, "DELETE");
  EXPECT_EQ(original->target, "/admin/x?y");
  EXPECT_EQ(original->host, "app.example");

  request.target("/authz");
  EXPECT_EQ(read_original_request(request, OriginalStyle::envoy, "/authz", 8192)->target, "/");
  request.target("/authzadmin");
  EXPECT_EQ(read_original_request(request, OriginalStyle::envoy, "/authz", 8192).error(),
            OriginalError::outside_prefix);
  request.target("/admin");
  EXPECT_EQ(read_original_request(request, OriginalStyle::envoy, "/authz", 8192).error(),
            OriginalError::outside_prefix);
}

struct Refusal {
  const char* name;
  OriginalStyle style;
  FieldList fields;
  OriginalError error;
  const char* why;
};

class OriginalRequestRefusal : public ::testing::TestWithParam<Refusal> {};

TEST_P(OriginalRequestRefusal, NamesTheReason) {
  const auto& c = GetParam();
  const auto original = read_original_request(request_with(c.fields), c.style, "", 64);
  ASSERT_FALSE(original.has_value()) << c.why;
  EXPECT_EQ(original.error(), c.error) << c.why << ": " << to_string(original.error());
}

const Refusal refusals[] = {
    {"MissingUri", OriginalStyle::x_forwarded, without(traefik, "X-Forwarded-Uri"),
     OriginalError::missing_field, "no path: nothing to decide"},
    {"MissingHost", OriginalStyle::x_forwarded, without(traefik, "X-Forwarded-Host"),
     OriginalError::missing_field, "never the decision request's own Host: a route could match another host"},
    {"MissingMethod", OriginalStyle::x_forwarded, without(traefik, "X-Forwarded-Method"),
     OriginalError::missing_field, "a method-limited route needs it"},
    {"MissingProto", OriginalStyle::x_forwarded, without(traefik, "X-Forwarded-Proto"),
     OriginalError::missing_field, "Digest's absolute uri names the scheme"},
    {"RepeatedUri", OriginalStyle::x_forwarded, with(traefik, "X-Forwarded-Uri", "/public"),
     OriginalError::repeated_field, "the client's copy next to the front proxy's: which one is unknown"},
    {"RepeatedHost", OriginalStyle::x_forwarded, with(traefik, "x-forwarded-host", "evil.example"),
     OriginalError::repeated_field, "names compare case-insensitively"},
    {"MethodNotAToken", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Method", "GET /x"),
     OriginalError::bad_method, "RFC 9110 §9.1"},
    {"MethodList", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Method", "GET, POST"),
     OriginalError::bad_method, "a list is two answers"},
    {"ProtoOther", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Proto", "ftp"),
     OriginalError::bad_proto, "http or https only"},
    {"ProtoList", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Proto", "https, http"),
     OriginalError::bad_proto, "chained proxies appending is not one scheme"},
    {"HostList", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Host", "a.example, b.example"),
     OriginalError::bad_host, "one host"},
    {"HostWithUserinfo", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Host", "u@a.example"),
     OriginalError::bad_host, "RFC 9110 §4.2.4"},
    {"EmptyHost", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Host", ""),
     OriginalError::bad_host, "no host to match"},
    {"UriNotOriginForm", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Uri", "admin"),
     OriginalError::bad_target, "origin-form only"},
    {"UriAbsolute", OriginalStyle::x_forwarded,
     replaced(traefik, "X-Forwarded-Uri", "http://evil.example/admin"), OriginalError::bad_target,
     "an authority in the target would differ from the host decided on"},
    {"UriEncodedSlash", OriginalStyle::x_forwarded,
     replaced(traefik, "X-Forwarded-Uri", "/public%2F..%2Fadmin"), OriginalError::bad_target,
     "refused exactly as the reverse proxy refuses it"},
    {"UriEncodedNul", OriginalStyle::x_forwarded, replaced(traefik, "X-Forwarded-Uri", "/a%00"),
     OriginalError::bad_target, "C upstreams truncate"},
    {"UriTooLong", OriginalStyle::x_forwarded,
     replaced(traefik, "X-Forwarded-Uri", "/" + std::string(64, 'a')), OriginalError::too_long,
     "limits.max_uri_bytes holds here too"},
    {"UrlWithoutScheme",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "/x"}},
     OriginalError::bad_url,
     "nginx's recipe sends $scheme://$http_host$request_uri"},
    {"UrlOtherScheme",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "ftp://h/x"}},
     OriginalError::bad_url,
     "http(s)"},
    {"UrlWithUserinfo",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "http://u:p@h/x"}},
     OriginalError::bad_host,
     "RFC 9110 §4.2.4"},
    {"UrlWithoutHost",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "http:///x"}},
     OriginalError::bad_host,
     "nothing to match hosts on"},
    {"UrlWithFragment",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "http://h/#x"}},
     OriginalError::bad_target,
     "a fragment is never sent (RFC 9110 §7.1)"},
    {"UrlRepeated",
     OriginalStyle::x_original,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "http://h/a"}, {"X-Original-URL", "http://h/b"}},
     OriginalError::repeated_field,
     "which one nginx set is unknown"},
    {"OriginalMethodMissing",
     OriginalStyle::x_original,
     {{"X-Original-URL", "http://h/a"}},
     OriginalError::missing_field,
     "both fields are the recipe's"},
    {"XForwardedFieldsDoNotServeXOriginal", OriginalStyle::x_original, traefik, OriginalError::missing_field,
     "one style per listener: the client could add the other style's fields"},
    {"XOriginalFieldsDoNotServeXForwarded",
     OriginalStyle::x_forwarded,
     {{"X-Original-Method", "GET"}, {"X-Original-URL", "http://h/a"}},
     OriginalError::missing_field,
     "one style per listener"},
    {"EnvoyProtoOther",
     OriginalStyle::envoy,
     {{"Host", "h"}, {"X-Forwarded-Proto", "gopher"}},
     OriginalError::bad_proto,
     "if present, it must be a scheme"},
    {"EnvoyWithoutHost", OriginalStyle::envoy, {}, OriginalError::missing_field, "HTTP/1.0 without Host"},
};

INSTANTIATE_TEST_SUITE_P(Table, OriginalRequestRefusal, ::testing::ValuesIn(refusals),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

TEST(OriginalRequest, StyleNamesAreTheConfigSpellings) {
  EXPECT_EQ(original_style("x-forwarded"), OriginalStyle::x_forwarded);
  EXPECT_EQ(original_style("x-original"), OriginalStyle::x_original);
  EXPECT_EQ(original_style("envoy"), OriginalStyle::envoy);
  EXPECT_FALSE(original_style("X-Forwarded").has_value());
  EXPECT_FALSE(original_style("traefik").has_value());
}

TEST(ForwardedForChain, SplitsEveryLineInOrderAndTrims) {
  Fields fields;
  fields.insert("X-Forwarded-For", " 1.2.3.4 ,, 10.0.0.1");
  fields.insert("x-forwarded-for", "[2001:db8::1]\t");
  const auto chain = forwarded_for_chain(fields);
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0], "1.2.3.4");
  EXPECT_EQ(chain[1], "10.0.0.1");
  EXPECT_EQ(chain[2], "[2001:db8::1]");
}

TEST(ForwardedForChain, KeepsOnlyTheRightMostEntries) {
  Fields fields;
  std::string many;
  for (int i = 0; i < 100; ++i) many += "10.0.0." + std::to_string(i) + ",";
  fields.insert("X-Forwarded-For", many);
  const auto chain = forwarded_for_chain(fields, 32);
  ASSERT_EQ(chain.size(), 32u);
  EXPECT_EQ(chain.back(), "10.0.0.99");  // the ones trusted hops wrote are at the right
}

}  // namespace
}  // namespace authgate::gateway
