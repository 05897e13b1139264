#include "http/headers.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>
#include <span>
#include <vector>

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/rfc7230.hpp>
#include <boost/container/small_vector.hpp>

namespace authgate::gateway {
namespace {

namespace beast = boost::beast;

// RFC 9110 §7.6.1 plus the fields that only make sense for one connection.
constexpr std::array<std::string_view, 9> hop_by_hop_fields{
    "Connection", "Keep-Alive",          "Proxy-Connection",  "TE", "Trailer", "Transfer-Encoding",
    "Upgrade",    "Proxy-Authorization", "Proxy-Authenticate"};

// Fields a client may not remove by naming them in Connection: the upstream needs Host to route
// (RFC 9110 §7.2), and framing is re-set by the relay anyway.
bool is_protected(std::string_view name) {
  return beast::iequals(name, "Host") || beast::iequals(name, "Content-Length");
}

// All field lines of one name joined by ", " (RFC 9110 §5.3), then erased.
std::string take_joined(Fields& fields, std::string_view name) {
  std::string joined;
  // Every line of the name, in order (Beast's equal_range does not walk the list in name order).
  for (const auto& field : fields) {
    if (!beast::iequals(field.name_string(), name)) continue;
    if (!joined.empty()) joined += ", ";
    joined.append(field.value());
  }
  fields.erase(name);
  return joined;
}

void append_list(Fields& fields, std::string_view name, std::string_view element) {
  auto joined = take_joined(fields, name);
  if (!joined.empty()) joined += ", ";
  joined.append(element);
  fields.set(name, joined);
}

// Header-name folding for lookalike detection: case-insensitive, '_' and '-' alike.
char fold(char c) noexcept {
  if (c == '_') return '-';
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_header(std::string_view name, std::string_view wanted) noexcept {
  if (name.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (fold(name[i]) != fold(wanted[i])) return false;
  }
  return true;
}

// Fields a client may send that frameworks read as a proxy's word about the original request: client
// address (X-Real-IP), scheme (X-Forwarded-Ssl, Front-End-Https …), host and port, a path prefix, or even
// the path itself (X-Original-URL, X-Rewrite-URL: Symfony, Zend and IIS route by them). The gateway
// writes Forwarded and X-Forwarded-{For,Proto,Host} itself and no client may speak for it in any of these
// (issue 11 F8); they are removed in every '_' spelling too, as CGI/WSGI/PHP see those as the same.
constexpr std::array<std::string_view, 13> proxy_word_fields{"Forwarded",
                                                             "X-Real-IP",
                                                             "X-Forwarded-Port",
                                                             "X-Forwarded-Prefix",
                                                             "X-Forwarded-Server",
                                                             "X-Forwarded-Ssl",
                                                             "X-Forwarded-Scheme",
                                                             "X-Url-Scheme",
                                                             "Front-End-Https",
                                                             "X-Original-URL",
                                                             "X-Rewrite-URL",
                                                             "X-Original-Host",
                                                             "X-Host"};

// The fields the gateway sets or appends below: a '_' spelling from the client is removed (the
// '-' spellings are replaced or appended to).
constexpr std::array<std::string_view, 3> forwarded_fields{"X-Forwarded-For", "X-Forwarded-Proto",
                                                           "X-Forwarded-Host"};

// A bit per name length (63: any longer name), so most fields are passed over with one test.
constexpr std::uint64_t length_bit(std::size_t length) noexcept {
  return 1ull << (length < 63 ? length : 63);
}

constexpr std::uint64_t static_lengths() noexcept {
  std::uint64_t mask = 0;
  for (const auto name : proxy_word_fields) mask |= length_bit(name.size());
  for (const auto name : forwarded_fields) mask |= length_bit(name.size());
  return mask;
}

bool is_spoofed(std::string_view name, std::span<const std::string_view> identity) noexcept {
  const auto same = [name](std::string_view wanted) { return same_header(name, wanted); };
  if (std::any_of(identity.begin(), identity.end(), same)) return true;
  if (std::any_of(proxy_word_fields.begin(), proxy_word_fields.end(), same)) return true;
  return name.find('_') != std::string_view::npos &&
         std::any_of(forwarded_fields.begin(), forwarded_fields.end(), same);
}

// One pass over the client's fields, before any of ours is set: its copies of the identity headers and
// of the proxy's own fields go.
void erase_spoofed_fields(Fields& fields, const IdentityHeaders& names) {
  const std::array<std::string_view, 3> identity{names.user, names.groups, names.scheme};
  std::uint64_t lengths = static_lengths();
  for (const auto name : identity) lengths |= length_bit(name.size());
  for (auto it = fields.begin(); it != fields.end();) {
    const auto name = it->name_string();
    const bool spoofed = (length_bit(name.size()) & lengths) != 0 && is_spoofed(name, identity);
    it = spoofed ? fields.erase(it) : std::next(it);
  }
}

// RFC 7239 §4: one forwarded-element for this hop. Values are quoted: an IPv6 node and a host with a
// port need it (§6), and the Host value was validated (request_target.hpp), so it holds no '"' or '\'.
// Built on the stack for a usual address and host: the field's own copy is the only one.
using ForwardedElement = boost::container::small_vector<char, 192>;
void forwarded_element(ForwardedElement& out, std::string_view client_address, std::string_view host,
                       bool secure) {
  auto append = [&out](std::string_view text) { out.insert(out.end(), text.begin(), text.end()); };
  const bool ipv6 = client_address.find(':') != std::string_view::npos;
  append(ipv6 ? "for=\"[" : "for=\"");
  append(client_address);
  append(ipv6 ? "]\"" : "\"");
  if (!host.empty()) {
    append(";host=\"");
    append(host);
    append("\"");
  }
  append(secure ? ";proto=https" : ";proto=http");
}

// A reason phrase for a status Beast has no name for, when the upstream sent an empty one: Beast would
// write "<unknown-status>" (RFC 9112 §4: the phrase is only a hint, so the status class is enough).
std::string_view phrase_for_unnamed(unsigned status) {
  if (status == 103) return "Early Hints";
  switch (status / 100) {
    case 1:
      return "Informational";
    case 2:
      return "Success";
    case 3:
      return "Redirection";
    case 4:
      return "Client Error";
    default:
      return "Server Error";
  }
}

}  // namespace

std::string join_groups(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& group : groups) {
    if (!out.empty()) out.push_back(',');
    out.append(group);
  }
  return out;
}

bool connection_has(const Fields& fields, std::string_view token) {
  for (const auto& field : fields) {
    if (field.name() != http::field::connection) continue;
    for (const auto listed : http::token_list{field.value()}) {
      if (beast::iequals(listed, token)) return true;
    }
  }
  return false;
}

bool is_websocket_upgrade(const Fields& fields) {
  if (!connection_has(fields, "upgrade")) return false;
  for (const auto& field : fields) {
    if (field.name() != http::field::upgrade) continue;
    for (const auto protocol : http::token_list{field.value()}) {
      // Upgrade values are product tokens ("websocket" or "websocket/13"): compare the name.
      const auto name = protocol.substr(0, protocol.find('/'));
      if (beast::iequals(name, "websocket")) return true;
    }
  }
  return false;
}

void strip_hop_by_hop(Fields& fields) {
  // Copied out first (erasing a field frees the value the tokens point into); inline room for the usual
  // one or two, so a plain `Connection: keep-alive` costs no allocation.
  boost::container::small_vector<std::string, 4> tokens;
  for (const auto& field : fields) {
    if (field.name() != http::field::connection) continue;
    for (const auto token : http::token_list{field.value()}) tokens.emplace_back(token);
  }
  for (const auto& token : tokens) {
    if (!is_protected(token)) fields.erase(token);
  }
  for (const auto name : hop_by_hop_fields) fields.erase(name);
}

void prepare_upstream_request(RequestHead& request, const ForwardContext& context) {
  const bool websocket = is_websocket_upgrade(request);
  std::string upgrade;
  if (websocket) upgrade = take_joined(request, "Upgrade");
  strip_hop_by_hop(request);
  // The gateway answers Expect: 100-continue itself, after authentication (RFC 9110 §10.1.1).
  request.erase(http::field::expect);

  // Why: the upstream trusts these headers to name the user; a client-sent copy would let anyone
  // be anyone. Every case variant and occurrence goes, and so do '_' spellings (X_Auth_User), which
  // CGI, WSGI and PHP upstreams file under the same HTTP_X_AUTH_USER variable. Likewise the fields in
  // which a proxy speaks (proxy_word_fields).
  const auto& names = *context.identity_names;
  erase_spoofed_fields(request, names);
  // Why: the upstream must not see the client's credentials unless the route asks for it (DESIGN.md).
  // On the proxy side the credentials were Proxy-Authorization (gone with the hop-by-hop fields).
  if (context.side == policy::Side::origin && !context.pass_authorization) {
    request.erase(http::field::authorization);
  }
  if (context.identity != nullptr) {
    request.set(names.user, context.identity->user);
    request.set(names.groups, join_groups(context.identity->groups));
    request.set(names.scheme, context.identity->scheme);
  }

  // The id of this request's log line, for the upstream's logs; the client's own is replaced unless a
  // trusted proxy sent it (then it is the same value). A forward proxy's origins are not ours: untouched.
  if (context.side == policy::Side::origin && !context.request_id.empty()) {
    request.set("X-Request-Id", context.request_id);
  }
  append_list(request, "X-Forwarded-For", context.client_address);
  request.set("X-Forwarded-Proto", context.secure ? "https" : "http");
  const auto host = request[http::field::host];
  ForwardedElement forwarded;
  forwarded_element(forwarded, context.client_address, host, context.secure);
  request.set(http::field::forwarded, std::string_view{forwarded.data(), forwarded.size()});
  if (host.empty()) {
    request.erase("X-Forwarded-Host");
    // An HTTP/1.0 client may omit Host; HTTP/1.1 upstreams require one (RFC 9112 §3.2).
    request.set(http::field::host, context.default_host);
  } else {
    request.set("X-Forwarded-Host", host);
  }
  // RFC 9110 §7.6.3: a gateway MUST send Via in each inbound request it forwards.
  append_list(request, "Via", "1.1 authgate");

  request.version(11);
  request.target(context.target);
  if (websocket) {
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::upgrade, upgrade);
  }
}

void prepare_client_response(ResponseHead& response) {
  // An empty reason reads back as Beast's phrase for the status: "<unknown-status>" for one it lacks.
  if (response.result() == http::status::unknown &&
      response.reason() == http::obsolete_reason(http::status::unknown)) {
    response.reason(phrase_for_unnamed(response.result_int()));
  }
  const bool switching = response.result() == http::status::switching_protocols;
  std::string upgrade;
  if (switching) upgrade = take_joined(response, "Upgrade");
  strip_hop_by_hop(response);
  if (switching) {
    response.set(http::field::connection, "Upgrade");
    response.set(http::field::upgrade, upgrade);
  }
}

void make_private(ResponseHead& response) {
  const std::string existing = take_joined(response, "Cache-Control");
  std::string out = "private";
  std::size_t start = 0;
  while (start < existing.size()) {
    const auto comma = std::min(existing.find(',', start), existing.size());
    std::string_view directive{existing.data() + start, comma - start};
    while (!directive.empty() && (directive.front() == ' ' || directive.front() == '\t'))
      directive.remove_prefix(1);
    while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\t'))
      directive.remove_suffix(1);
    const auto name = directive.substr(0, directive.find('='));
    if (beast::iequals(name, "private") || beast::iequals(name, "no-store")) {
      response.set(http::field::cache_control, existing);  // already kept out of shared caches
      return;
    }
    // `public` would let a shared cache store what one token holder was shown.
    if (!directive.empty() && !beast::iequals(name, "public")) out.append(", ").append(directive);
    start = comma + 1;
  }
  response.set(http::field::cache_control, out);
}

void add_response_fields(ResponseHead& response, std::span<const ResponseField> fields) {
  for (const auto& field : fields) response.set(field.name, field.value);
}

}  // namespace authgate::gateway
