#pragma once
// Header transformations between the client and the upstream: hop-by-hop removal (RFC 9110 §7.6.1),
// X-Forwarded-* and Via (§7.6.3), and the identity headers the upstream trusts. Pure functions on Beast
// header containers; no I/O.

#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

#include "authgate/identity.hpp"
#include "authgate/policy/decision.hpp"
#include "http/head_arena.hpp"
#include "http/identity_headers.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

/// Everything the upstream request needs besides the client's header.
struct ForwardContext {
  std::string_view client_address;  // peer IP, without port
  bool secure = false;              // the client connection is TLS → X-Forwarded-Proto: https
  const IdentityHeaders* identity_names = nullptr;  // config `identity_headers`
  const Identity* identity = nullptr;               // nullptr: not authenticated (anonymous route)
  policy::Side side = policy::Side::origin;         // whose credentials the gateway consumed
  bool pass_authorization = false;  // route option: forward the client's Authorization (origin side)
  std::string target;               // request-target to send (normalised path + query)
  std::string_view default_host;    // Host for a request that has none (the upstream's authority)
  std::string_view request_id;      // sent as X-Request-Id (origin side), replacing any the client sent
};

/// The groups header's value: the names joined with ',' (names with ',' never get this far: the judge
/// refuses them as unsafe_identity).
std::string join_groups(const std::vector<std::string>& groups);

/// True when the request asks for a WebSocket upgrade (RFC 6455 §4.1: `Connection: upgrade` and
/// `Upgrade: websocket`). Other upgrades (h2c, TLS) are never tunnelled.
bool is_websocket_upgrade(const Fields& fields);

/// True when a Connection field lists `token` (case-insensitive).
bool connection_has(const Fields& fields, std::string_view token);

/// Removes the hop-by-hop fields: Connection and every field it names, Keep-Alive, Proxy-Connection,
/// TE, Trailer, Transfer-Encoding, Upgrade, Proxy-Authorization, Proxy-Authenticate.
void strip_hop_by_hop(Fields& fields);

/// Turns the client's request header into the upstream's: hop-by-hop and Expect removed, the client's
/// identity headers removed (every case variant and occurrence), the credentials the gateway consumed
/// removed (origin side: Authorization unless passed; proxy side: Proxy-Authorization, hop-by-hop, while
/// Authorization is the origin's and goes on),
/// ours set when authenticated, X-Forwarded-For appended, -Proto/-Host set, Via appended, HTTP/1.1,
/// and the WebSocket upgrade fields re-added when the client asked for one. Framing is left to the
/// caller (the body relay decides Content-Length or chunked). The gateway's own fields come last.
void prepare_upstream_request(RequestHead& request, const ForwardContext& context);

/// The same, except that the gateway's own fields (identity, X-Request-Id, X-Forwarded-*, Forwarded, Via,
/// unless appended to the client's) are not inserted into `request` but returned as wire bytes in its
/// arena (field_lines.hpp), to be written after its fields: head_bytes_in_arena(request, 0, returned), for
/// a request that goes out as its head alone. The head must be the request path's (its allocator has an
/// arena; std::logic_error otherwise).
std::string_view prepare_upstream_head(RequestHead& request, const ForwardContext& context);

/// Turns the upstream's response header into the client's: hop-by-hop fields removed, except the
/// Upgrade / Connection pair of a 101 to a WebSocket upgrade.
void prepare_client_response(ResponseHead& response);

/// A field the gateway adds to the response the client gets (a verdict's Authentication-Info).
struct ResponseField {
  std::string_view name;
  std::string value;
};

/// Sets `fields` on the response, replacing any the upstream sent under those names: they are the
/// gateway's word about the client's credentials, which the upstream never saw.
void add_response_fields(ResponseHead& response, std::span<const ResponseField> fields);

/// Makes the response private to the client (RFC 9111 §5.2.2.7): `Cache-Control: private` when absent;
/// an existing field keeps its directives, minus `public`, with `private` in front — unless it already
/// says `private` or `no-store`. For responses to a request whose Bearer token was in the URI
/// (RFC 6750 §2.3).
void make_private(ResponseHead& response);

}  // namespace authgate::gateway
