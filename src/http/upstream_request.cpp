// The client's request head turned into the upstream's (headers.hpp: prepare_upstream_request).
#include <algorithm>
#include <array>
#include <cstdint>
#include <iterator>

#include <boost/beast/core/string.hpp>
#include <boost/container/small_vector.hpp>

#include "http/field_edits.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {
namespace {

namespace beast = boost::beast;

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

// Fields the gateway sets on every forwarded request: any spelling the client sent goes first.
constexpr std::array<std::string_view, 2> replaced_fields{"X-Forwarded-Proto", "X-Forwarded-Host"};

// A bit per name length (63: any longer name), so most fields are passed over with one test.
constexpr std::uint64_t length_bit(std::size_t length) noexcept {
  return 1ull << (length < 63 ? length : 63);
}

constexpr std::uint64_t static_lengths() noexcept {
  std::uint64_t mask = 0;
  for (const auto name : proxy_word_fields) mask |= length_bit(name.size());
  for (const auto name : forwarded_fields) mask |= length_bit(name.size());
  for (const auto name : replaced_fields) mask |= length_bit(name.size());
  return mask;
}

// What one pass over the client's fields found of those the gateway appends to.
struct AppendedFields {
  bool forwarded_for = false;  // X-Forwarded-For
  bool via = false;
};

// The fields the client's head loses on its way upstream, and whether they can be told by their length.
struct Dropped {
  std::array<std::string_view, 4> identity;  // the identity headers, and X-Request-Id when replaced
  std::uint64_t lengths = 0;
  bool authorization = false;  // the origin's credentials, consumed here

  bool spoofed(std::string_view name) const noexcept {
    if ((length_bit(name.size()) & lengths) == 0) return false;
    const auto same = [name](std::string_view wanted) {
      return !wanted.empty() && same_header(name, wanted);
    };
    if (std::any_of(identity.begin(), identity.end(), same)) return true;
    if (std::any_of(proxy_word_fields.begin(), proxy_word_fields.end(), same)) return true;
    if (std::any_of(replaced_fields.begin(), replaced_fields.end(), same)) return true;
    return name.find('_') != std::string_view::npos &&
           std::any_of(forwarded_fields.begin(), forwarded_fields.end(), same);
  }
};

Dropped dropped_for(const ForwardContext& context) {
  const auto& names = *context.identity_names;
  Dropped dropped;
  const bool replaces_request_id = context.side == policy::Side::origin && !context.request_id.empty();
  dropped.identity = {names.user, names.groups, names.scheme,
                      replaces_request_id ? std::string_view{"X-Request-Id"} : std::string_view{}};
  dropped.lengths = static_lengths();
  for (const auto name : dropped.identity) dropped.lengths |= length_bit(name.size());
  dropped.authorization = context.side == policy::Side::origin && !context.pass_authorization;
  return dropped;
}

// One pass over the client's fields, before any of ours is set: hop-by-hop fields, Expect (the gateway
// answers 100-continue itself, after authentication: RFC 9110 §10.1.1), the credentials the gateway
// consumed, its copies of the identity headers and of every field in which a proxy speaks.
AppendedFields erase_client_fields(Fields& fields, const Dropped& dropped) {
  AppendedFields appended;
  for (auto it = fields.begin(); it != fields.end();) {
    const http::field name = it->name();
    bool drop = is_hop_by_hop(name) || name == http::field::expect ||
                (dropped.authorization && name == http::field::authorization);
    if (!drop) {
      const auto name_string = it->name_string();
      drop = dropped.spoofed(name_string);
      if (!drop) {
        appended.via = appended.via || name == http::field::via;
        appended.forwarded_for = appended.forwarded_for || beast::iequals(name_string, "X-Forwarded-For");
      }
    }
    it = drop ? fields.erase(it) : std::next(it);
  }
  return appended;
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

}  // namespace

void prepare_upstream_request(RequestHead& request, const ForwardContext& context) {
  const bool websocket = is_websocket_upgrade(request);
  std::string upgrade;
  if (websocket) upgrade = take_joined(request, "Upgrade");
  erase_connection_tokens(request);
  // Why: the upstream trusts the identity headers to name the user; a client-sent copy would let anyone
  // be anyone. Every case variant and occurrence goes, and so do '_' spellings (X_Auth_User), which
  // CGI, WSGI and PHP upstreams file under the same HTTP_X_AUTH_USER variable. Likewise the fields in
  // which a proxy speaks (proxy_word_fields). The upstream must not see the client's credentials unless
  // the route asks for it (DESIGN.md); on the proxy side they were Proxy-Authorization, a hop-by-hop field.
  const AppendedFields appended = erase_client_fields(request, dropped_for(context));

  // Each field below is known to be absent now (or appended to): inserted, not looked up and replaced.
  const auto& names = *context.identity_names;
  if (context.identity != nullptr) {
    request.insert(names.user, context.identity->user);
    request.insert(names.groups, join_groups(context.identity->groups));
    request.insert(names.scheme, context.identity->scheme);
  }
  // The id of this request's log line, for the upstream's logs; the client's own is replaced unless a
  // trusted proxy sent it (then it is the same value). A forward proxy's origins are not ours: untouched.
  if (context.side == policy::Side::origin && !context.request_id.empty()) {
    request.insert(http::field::unknown, "X-Request-Id", context.request_id);
  }
  if (appended.forwarded_for) {
    append_list(request, "X-Forwarded-For", context.client_address);
  } else {
    request.insert(http::field::unknown, "X-Forwarded-For", context.client_address);
  }
  request.insert(http::field::unknown, "X-Forwarded-Proto", context.secure ? "https" : "http");
  const auto host = request[http::field::host];
  ForwardedElement forwarded;
  forwarded_element(forwarded, context.client_address, host, context.secure);
  request.insert(http::field::forwarded, std::string_view{forwarded.data(), forwarded.size()});
  if (host.empty()) {
    // An HTTP/1.0 client may omit Host; HTTP/1.1 upstreams require one (RFC 9112 §3.2).
    request.set(http::field::host, context.default_host);
  } else {
    request.insert(http::field::unknown, "X-Forwarded-Host", host);
  }
  // RFC 9110 §7.6.3: a gateway MUST send Via in each inbound request it forwards.
  if (appended.via) {
    append_list(request, "Via", "1.1 authgate");
  } else {
    request.insert(http::field::via, "1.1 authgate");
  }

  request.version(11);
  request.target(context.target);
  if (websocket) {
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::upgrade, upgrade);
  }
}

}  // namespace authgate::gateway
