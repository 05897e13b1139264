#pragma once
// Edits on a head's fields that the request and the response transformations (headers.hpp) share:
// which fields are hop-by-hop, the fields a Connection field names, and joining a field's lines.

#include <string>
#include <string_view>

#include <boost/beast/http/field.hpp>

#include "http/head_arena.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization,
/// Proxy-Authenticate (RFC 9110 §7.6.1, and the fields that only make sense for one connection).
bool is_hop_by_hop(http::field name) noexcept;

/// Removes every field a Connection field names (RFC 9110 §7.6.1), except Host and Content-Length. The
/// hop-by-hop fields themselves are left to the caller's pass by enum.
void erase_connection_tokens(Fields& fields);

/// All field lines of `name` joined by ", " (RFC 9110 §5.3), then erased.
std::string take_joined(Fields& fields, std::string_view name);

/// `element` appended to the list of `name` (its lines joined into one).
void append_list(Fields& fields, std::string_view name, std::string_view element);

}  // namespace authgate::gateway
