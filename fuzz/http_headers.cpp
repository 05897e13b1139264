// The header rewrite between client and upstream, on arbitrary heads. The first byte picks the context
// (see Flags); the rest is a request head, read as the session reads it (feed_head(), a header limit, no
// body limit) and checked as the pipeline checks it (check_head()). prepare_upstream_request() then runs
// on both sides (and prepare_upstream_head() must write the same bytes), and prepare_client_response()
// on the same field lines under a 200 or 101 status line. Never crashes or leaks, and what leaves the
// gateway obeys the rules the upstream trusts (issue 12): exactly our identity headers in any spelling,
// no credentials the gateway consumed, no proxy field a client wrote, no hop-by-hop field, no CR/LF/NUL,
// and a head Beast reads back field for field.
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/beast/http/write.hpp>

#include "http/buffered_head.hpp"
#include "http/head_bytes.hpp"
#include "http/head_check.hpp"
#include "http/headers.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace authgate::gateway;
using authgate::policy::Side;
using Values = std::vector<std::string_view>;

void check(bool condition) {
  if (!condition) std::abort();
}

// The first input byte: which context the gateway forwards in.
struct Flags {
  explicit Flags(std::uint8_t byte)
      : pass_authorization((byte & 1) != 0),
        secure((byte & 2) != 0),
        anonymous((byte & 4) != 0),
        ipv6((byte & 8) != 0),
        names((byte >> 4) & 3),
        switching((byte & 64) != 0) {}
  bool pass_authorization, secure, anonymous, ipv6;
  unsigned names;  // which identity_headers configuration
  bool switching;  // the response is a 101
};

// Configurations of `identity_headers`: the default, other lengths, names past the 63-character length
// bucket of the lookalike filter, and names configured with '_'.
const IdentityHeaders identity_configs[4] = {
    {},
    {"Remote-User", "Remote-Groups", "Remote-Auth-Scheme"},
    {"X-Authenticated-User-Name-As-Verified-By-The-Gateway-For-Upstream",
     "X-Authenticated-User-Groups-As-Verified-By-The-Gateway-For-Upstream-Apps",
     "X-Authentication-Scheme-The-Gateway-Verified-The-Credentials-With"},
    {"X_Auth_User", "X_Auth_Groups", "X_Auth_Scheme"}};
const authgate::Identity alice{"alice", {"staff", "ops"}, "Basic", {}, {}};

// The fields a proxy speaks in (headers.cpp): no client may write them, in any spelling.
constexpr std::string_view proxy_words[] = {"X-Real-IP",          "X-Forwarded-Port", "X-Forwarded-Prefix",
                                            "X-Forwarded-Server", "X-Forwarded-Ssl",  "X-Forwarded-Scheme",
                                            "X-Url-Scheme",       "Front-End-Https",  "X-Original-URL",
                                            "X-Rewrite-URL",      "X-Original-Host",  "X-Host"};
constexpr std::string_view hop_by_hop[] = {
    "Connection", "Keep-Alive",          "Proxy-Connection",  "TE", "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authorization", "Proxy-Authenticate"};

// Written independently of headers.cpp: case-insensitive, '_' and '-' alike.
bool same_folded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto fold = [](char c) {
      if (c == '_') return '-';
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
    };
    if (fold(a[i]) != fold(b[i])) return false;
  }
  return true;
}

Values values(const Fields& fields, std::string_view name, bool folded) {
  Values out;
  for (const auto& field : fields) {
    const auto got = field.name_string();
    if (folded ? same_folded(got, name) : beast::iequals(got, name)) out.push_back(field.value());
  }
  return out;
}

bool has_value(const Fields& fields, std::string_view name, std::string_view value, bool folded) {
  const auto found = values(fields, name, folded);
  return found.size() == 1 && found.front() == value;
}

std::vector<std::string> connection_tokens(const Fields& fields) {
  std::vector<std::string> out;
  for (const auto value : values(fields, "Connection", false)) {
    for (const auto token : http::token_list{value}) out.emplace_back(token);
  }
  return out;
}

bool is_listed(std::string_view name, const std::vector<std::string>& list) {
  for (const auto& each : list) {
    if (beast::iequals(each, name)) return true;
  }
  return false;
}

// No CR, LF or NUL anywhere: each would split or cut the line for some peer.
void check_clean(const Fields& fields) {
  for (const auto& field : fields) {
    check(!field.name_string().empty());
    for (const auto text : {field.name_string(), field.value()}) {
      check(text.find_first_of(std::string_view{"\r\n\0", 3}) == std::string_view::npos);
    }
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The serialized head parses back into the same field lines (values modulo the OWS Beast trims).
template <bool isRequest>
void check_reparses(const http::header<isRequest, Fields>& head) {
  std::ostringstream out;
  out << head;
  const std::string text = out.str();
  http::parser<isRequest, http::empty_body, HeadAllocator<char>> parser;
  parser.header_limit(1024 * 1024);
  parser.body_limit(boost::none);
  boost::asio::const_buffer bytes{text.data(), text.size()};
  const auto outcome = feed_head(parser, bytes);
  check(outcome.has_value() && !*outcome);
  const auto& back = parser.get().base();
  auto it = back.begin();
  for (const auto& field : head) {
    check(it != back.end() && it->name_string() == field.name_string());
    check(trim(it->value()) == trim(field.value()));
    ++it;
  }
  check(it == back.end());
}

// Nothing the client's Connection named survives, unless the gateway sets it itself.
void check_connection_named_gone(const Fields& fields, const std::vector<std::string>& named,
                                 const std::vector<std::string>& ours) {
  for (const auto& token : named) {
    if (is_listed(token, ours)) continue;
    check(values(fields, token, false).empty());
  }
}

// RFC 7239 §4, as headers.cpp must write it.
std::string forwarded_element(std::string_view address, std::string_view host, bool secure) {
  const bool ipv6 = address.find(':') != std::string_view::npos;
  std::string out = "for=\"" + std::string(ipv6 ? "[" : "") + std::string(address) + (ipv6 ? "]\"" : "\"");
  if (!host.empty()) out += ";host=\"" + std::string(host) + "\"";
  return out + (secure ? ";proto=https" : ";proto=http");
}

// What the client sent, taken before the rewrite.
struct Sent {
  std::string host;
  std::vector<std::string> connection;
  std::vector<std::string> authorization;
  bool websocket = false;
};

Sent sent_by(const RequestHead& request) {
  Sent sent;
  sent.host = request[http::field::host];
  sent.connection = connection_tokens(request);
  for (const auto value : values(request, "Authorization", false)) sent.authorization.emplace_back(value);
  sent.websocket = is_websocket_upgrade(request);
  return sent;
}

void check_identity(const Fields& fields, const IdentityHeaders& names, bool anonymous) {
  const std::string groups = alice.groups[0] + "," + alice.groups[1];
  const std::pair<std::string_view, std::string_view> ours[] = {
      {names.user, alice.user}, {names.groups, groups}, {names.scheme, alice.scheme}};
  for (const auto& [name, value] : ours) {
    // Why: the upstream trusts these to name the user; only the gateway's word may reach it.
    if (anonymous) {
      check(values(fields, name, true).empty());
    } else {
      check(has_value(fields, name, value, true));
    }
  }
}

void check_credentials(const Fields& fields, const ForwardContext& context, const Sent& sent) {
  const auto authorization = values(fields, "Authorization", false);
  if (context.side == Side::origin && !context.pass_authorization) {
    check(authorization.empty());  // consumed by the gateway
  } else if (!is_listed("Authorization", sent.connection)) {
    check(authorization == Values(sent.authorization.begin(), sent.authorization.end()));
  }
  check(values(fields, "Proxy-Authorization", false).empty());
}

void check_proxy_fields(const Fields& fields, const ForwardContext& context, const Sent& sent) {
  for (const auto name : proxy_words) check(values(fields, name, true).empty());
  check(has_value(fields, "Forwarded", forwarded_element(context.client_address, sent.host, context.secure),
                  true));
  check(has_value(fields, "X-Forwarded-Proto", context.secure ? "https" : "http", true));
  const auto xff = values(fields, "X-Forwarded-For", true);
  check(xff.size() == 1 &&
        (xff[0] == context.client_address || xff[0].ends_with(", " + std::string(context.client_address))));
  if (sent.host.empty()) {
    check(values(fields, "X-Forwarded-Host", true).empty());
    check(has_value(fields, "Host", context.default_host, false));
  } else {
    check(has_value(fields, "X-Forwarded-Host", sent.host, true));
  }
  const auto via = values(fields, "Via", false);
  check(via.size() == 1 && via[0].ends_with("1.1 authgate"));
}

void check_hop_by_hop(const Fields& fields, const Sent& sent, const ForwardContext& context) {
  for (const auto name : hop_by_hop) {
    if (sent.websocket && (name == "Connection" || name == "Upgrade")) continue;
    check(values(fields, name, false).empty());
  }
  if (sent.websocket) {
    check(has_value(fields, "Connection", "Upgrade", false) && values(fields, "Upgrade", false).size() == 1);
  }
  check(values(fields, "Expect", false).empty());
  const auto& names = *context.identity_names;
  const std::vector<std::string> ours{
      "Host", "Content-Length", "X-Forwarded-For", "X-Forwarded-Proto", "Forwarded",  "X-Forwarded-Host",
      "Via",  "Connection",     "Upgrade",         names.user,          names.groups, names.scheme};
  check_connection_named_gone(fields, sent.connection, ours);
}

// The proxy's own way (prepare_upstream_head(), the gateway's fields written after the head's) gives the
// upstream the very bytes Beast would write for the same head with those fields inserted.
void check_split_preparation(const RequestHead& client, const ForwardContext& context,
                             const RequestHead& prepared) {
  HeadArena arena;
  RequestHead split{HeadAllocator<char>{arena}};
  split.method_string(client.method_string());
  split.target(client.target());
  split.version(client.version());
  for (const auto& field : client) split.insert(field.name_string(), field.value());
  const auto wire = prepare_upstream_head(split, context);
  const auto written = head_bytes_in_arena(split, 0, wire);
  check(std::string_view(written.data(), written.size()) == head_bytes(prepared));
}

void forward(const RequestHead& client, const ForwardContext& context) {
  RequestHead request = client;
  const Sent sent = sent_by(request);
  prepare_upstream_request(request, context);
  check_split_preparation(client, context, request);
  check_clean(request);
  check_identity(request, *context.identity_names, context.identity == nullptr);
  check_credentials(request, context, sent);
  check_proxy_fields(request, context, sent);
  check_hop_by_hop(request, sent, context);
  check(request.version() == 11 && request.target() == context.target);
  check_reparses(request);
}

void check_request(std::string_view head, const Flags& flags) {
  HeadArena arena;  // as the gateway parses: fields in the request's arena
  http::request_parser<http::empty_body, HeadAllocator<char>> parser{
      std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
  parser.header_limit(16 * 1024);
  parser.body_limit(boost::none);
  boost::asio::const_buffer bytes{head.data(), head.size()};
  const auto outcome = feed_head(parser, bytes);
  if (!outcome || *outcome) return;
  auto& request = parser.get().base();
  const auto checked = check_head(request, parser.chunked(), HeadLimits{});
  ForwardContext context;
  context.client_address = flags.ipv6 ? "2001:db8::7" : "203.0.113.9";
  context.secure = flags.secure;
  context.identity_names = &identity_configs[flags.names];
  context.identity = flags.anonymous ? nullptr : &alice;
  context.pass_authorization = flags.pass_authorization;
  context.target = "/fuzz/x?y=1";
  context.default_host = "upstream.test:8080";
  if (checked.status == 0) {
    // A head the pipeline accepts has a Host that is safe inside Forwarded's quoted-string.
    const auto host = request[http::field::host];
    check(host.find_first_of("\"\\") == std::string_view::npos && values(request, "Host", false).size() <= 1);
    context.target = checked.target.path + (checked.target.has_query ? "?" + checked.target.query : "");
  }
  for (const auto side : {Side::origin, Side::proxy}) {
    context.side = side;
    forward(request, context);
  }
}

// The client's field lines as an upstream's response: hop-by-hop fields never reach the client, except
// the Connection / Upgrade pair of a 101.
void check_response(std::string_view head, const Flags& flags) {
  const auto first_line_end = head.find('\n');
  if (first_line_end == std::string_view::npos) return;
  const std::string text =
      std::string(flags.switching ? "HTTP/1.1 101 Switching Protocols\r\n" : "HTTP/1.1 200 OK\r\n") +
      std::string(head.substr(first_line_end + 1));
  HeadArena arena;  // as the gateway parses an upstream's response: fields in the request's arena
  http::response_parser<http::empty_body, HeadAllocator<char>> parser{
      std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
  parser.header_limit(16 * 1024);
  parser.body_limit(boost::none);
  boost::asio::const_buffer bytes{text.data(), text.size()};
  const auto outcome = feed_head(parser, bytes);
  if (!outcome || *outcome) return;
  auto& response = parser.get().base();
  const auto named = connection_tokens(response);
  prepare_client_response(response);
  check_clean(response);
  for (const auto name : hop_by_hop) {
    if (flags.switching && (name == "Connection" || name == "Upgrade")) continue;
    check(values(response, name, false).empty());
  }
  if (flags.switching) {
    check(has_value(response, "Connection", "Upgrade", false) &&
          values(response, "Upgrade", false).size() == 1);
  }
  check_connection_named_gone(response, named, {"Host", "Content-Length", "Connection", "Upgrade"});
  check_reparses(response);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const Flags flags{data[0]};
  const std::string_view head{reinterpret_cast<const char*>(data) + 1, size - 1};
  check_request(head, flags);
  check_response(head, flags);
  return 0;
}
