#pragma once
// Reading and editing a head's fields, shared by the session and the request and response
// transformations (headers.hpp): which fields are hop-by-hop, what a Connection field says, and joining a
// field's lines. Each walks the field list once; Beast's lookups by name compare strings in a tree.

#include <string>
#include <string_view>

#include <boost/beast/http/field.hpp>
#include <boost/beast/http/rfc7230.hpp>

#include "authgate/grammar/parse.hpp"

#include "http/head_arena.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization,
/// Proxy-Authenticate (RFC 9110 §7.6.1, and the fields that only make sense for one connection).
bool is_hop_by_hop(http::field name) noexcept;

/// The value of the first line of `name`, empty when there is none: what Beast's `fields[name]` answers,
/// found by the name's enum along the list instead of by string compares down the tree.
std::string_view first_value(const Fields& fields, http::field name) noexcept;

/// How many field lines `name` has.
std::size_t count_named(const Fields& fields, http::field name) noexcept;

/// Calls `visit(token)` for each token of every Connection line. A line that is one bare token (nearly
/// every message's `keep-alive` or `close`) is passed whole, without Beast's list parser.
template <typename Visit>
void for_each_connection_token(const Fields& fields, Visit&& visit) {
  for (const auto& field : fields) {
    if (field.name() != http::field::connection) continue;
    const auto value = field.value();
    if (value == "keep-alive" || grammar::is_token(value)) {  // the usual value, compared as it is first
      visit(value);
      continue;
    }
    for (const auto token : http::token_list{value}) visit(token);
  }
}

/// Whether the connection persists after this message (RFC 9112 §9.3): HTTP/1.1 unless a Connection
/// field lists `close`, HTTP/1.0 only when one lists `keep-alive`. Every Connection line counts (RFC 9110
/// §5.3: they are one list), where Beast's keep_alive() reads only the first.
bool keeps_alive(const Fields& fields, unsigned version);

/// keeps_alive() for a request head a Beast parser has read. HTTP/1.1 asks the parser: it looked for
/// `close` in every Connection line while parsing, so the lines are not walked twice. HTTP/1.0 walks them,
/// since the parser lets `keep-alive` win over `close` there.
template <typename Parser>
bool request_keeps_alive(const Parser& parser) {
  const auto& head = parser.get();
  return head.version() >= 11 ? parser.keep_alive() : keeps_alive(head, head.version());
}

/// Removes every field a Connection field names (RFC 9110 §7.6.1), except Host and Content-Length. The
/// hop-by-hop fields themselves are left to the caller's pass by enum.
void erase_connection_tokens(Fields& fields);

/// All field lines of `name` joined by ", " (RFC 9110 §5.3), then erased.
std::string take_joined(Fields& fields, std::string_view name);

/// `element` appended to the list of `name` (its lines joined into one).
void append_list(Fields& fields, std::string_view name, std::string_view element);

}  // namespace authgate::gateway
