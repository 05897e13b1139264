// The client's request head turned into the upstream's (headers.hpp: prepare_upstream_request).
#include <algorithm>
#include <array>
#include <bit>
#include <cstdint>
#include <iterator>
#include <stdexcept>

#include <boost/container/small_vector.hpp>

#include "authgate/grammar/ascii.hpp"
#include "http/field_edits.hpp"
#include "http/field_lines.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {
namespace {

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

// Fields the gateway sets on every forwarded request: any spelling the client sent goes first.
constexpr std::array<std::string_view, 2> replaced_fields{"X-Forwarded-Proto", "X-Forwarded-Host"};

// The fields the gateway appends to: only a '_' spelling from the client is removed (the '-' spelling is
// appended to; a '_' spelling of the others above is removed with them).
constexpr std::string_view underscored_forwarded_for = "X_Forwarded_For";

// Every static name in one array, and per name length the names of that length: a client's field is
// compared with the one or two names of its own length, not with all of them.
constexpr std::size_t static_name_count = proxy_word_fields.size() + replaced_fields.size() + 1;
constexpr std::array<std::string_view, static_name_count> static_names = [] {
  std::array<std::string_view, static_name_count> names{};
  std::size_t i = 0;
  for (const auto name : proxy_word_fields) names[i++] = name;
  for (const auto name : replaced_fields) names[i++] = name;
  names[i] = underscored_forwarded_for;
  return names;
}();
constexpr std::size_t underscore_only = static_name_count - 1;  // X_Forwarded_For: not its '-' spelling

constexpr std::size_t longest_bucket = 63;  // any longer name shares the last bucket
constexpr std::array<std::uint32_t, longest_bucket + 1> names_by_length = [] {
  std::array<std::uint32_t, longest_bucket + 1> buckets{};
  for (std::size_t i = 0; i < static_names.size(); ++i) {
    buckets[std::min(static_names[i].size(), longest_bucket)] |= 1u << i;
  }
  return buckets;
}();

// What one pass over the client's fields found of those the gateway appends to.
struct AppendedFields {
  bool forwarded_for = false;  // X-Forwarded-For
  bool via = false;
};

// The fields the client's head loses on its way upstream.
struct Dropped {
  std::array<std::string_view, 4> identity;  // the identity headers, and X-Request-Id when replaced
  bool authorization = false;                // the origin's credentials, consumed here

  bool spoofed(std::string_view name) const noexcept {
    for (const auto wanted : identity) {
      if (!wanted.empty() && same_header(name, wanted)) return true;
    }
    for (std::uint32_t candidates = names_by_length[std::min(name.size(), longest_bucket)]; candidates != 0;
         candidates &= candidates - 1) {
      const auto i = static_cast<std::size_t>(std::countr_zero(candidates));
      if (!same_header(name, static_names[i])) continue;
      // The '-' spelling of X-Forwarded-For is the list this hop appends to.
      if (i != underscore_only || name.find('_') != std::string_view::npos) return true;
    }
    return false;
  }
};

Dropped dropped_for(const ForwardContext& context) {
  const auto& names = *context.identity_names;
  Dropped dropped;
  const bool replaces_request_id = context.side == policy::Side::origin && !context.request_id.empty();
  dropped.identity = {names.user, names.groups, names.scheme,
                      replaces_request_id ? std::string_view{"X-Request-Id"} : std::string_view{}};
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
        appended.forwarded_for = appended.forwarded_for || grammar::iequals(name_string, "X-Forwarded-For");
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

// Everything but the gateway's own fields, which go to `ours` in the order the upstream gets them; the
// caller writes them after the head's fields. `forwarded` holds the Forwarded value `ours` points into.
void prepare_head(RequestHead& request, const ForwardContext& context, FieldLines& ours,
                  ForwardedElement& forwarded) {
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

  // Each field below is known to be absent now (or appended to): added, not looked up and replaced.
  const auto& names = *context.identity_names;
  if (context.identity != nullptr) {
    ours.add(names.user, context.identity->user);
    ours.add_joined(names.groups, context.identity->groups);
    ours.add(names.scheme, context.identity->scheme);
  }
  // The id of this request's log line, for the upstream's logs; the client's own is replaced unless a
  // trusted proxy sent it (then it is the same value). A forward proxy's origins are not ours: untouched.
  if (context.side == policy::Side::origin && !context.request_id.empty()) {
    ours.add("X-Request-Id", context.request_id);
  }
  if (appended.forwarded_for) {
    append_list(request, "X-Forwarded-For", context.client_address);
  } else {
    ours.add("X-Forwarded-For", context.client_address);
  }
  ours.add("X-Forwarded-Proto", context.secure ? "https" : "http");
  const auto host = first_value(request, http::field::host);
  forwarded_element(forwarded, context.client_address, host, context.secure);
  ours.add("Forwarded", std::string_view{forwarded.data(), forwarded.size()});
  if (host.empty()) {
    // An HTTP/1.0 client may omit Host; HTTP/1.1 upstreams require one (RFC 9112 §3.2).
    request.set(http::field::host, context.default_host);
  } else {
    ours.add("X-Forwarded-Host", host);
  }
  // RFC 9110 §7.6.3: a gateway MUST send Via in each inbound request it forwards.
  if (appended.via) {
    append_list(request, "Via", "1.1 authgate");
  } else {
    ours.add("Via", "1.1 authgate");
  }

  request.version(11);
  request.target(context.target);
  if (websocket) {
    request.set(http::field::connection, "Upgrade");
    request.set(http::field::upgrade, upgrade);
  }
}

}  // namespace

std::string_view prepare_upstream_head(RequestHead& request, const ForwardContext& context) {
  HeadArena* arena = request.get_allocator().arena();
  if (arena == nullptr)
    throw std::logic_error{"prepare_upstream_head: the head's fields are not in an arena"};
  FieldLines ours;
  ForwardedElement forwarded;
  prepare_head(request, context, ours, forwarded);
  return ours.write(*arena);
}

void prepare_upstream_request(RequestHead& request, const ForwardContext& context) {
  FieldLines ours;
  ForwardedElement forwarded;
  prepare_head(request, context, ours, forwarded);
  ours.insert_into(request);
}

}  // namespace authgate::gateway
