#pragma once
// Step 6 of the request path, the forwarding half: send the transformed head upstream, stream the
// request body, read the response head, stream the response body back — Beast's relay() with
// buffer_body, so no body is ever held whole in memory. Also the WebSocket tunnel after a 101.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "authgate/reason.hpp"
#include "config/model.hpp"
#include "gateway/conn/stream.hpp"
#include "gateway/gateway_state.hpp"
#include "gateway/proxy/upstream_pool.hpp"
#include "http/chunk_metadata_guard.hpp"
#include "http/headers.hpp"

namespace authgate::gateway {

using RequestParser = http::request_parser<http::buffer_body, HeadAllocator<char>>;
using ResponseParser = http::response_parser<http::buffer_body, HeadAllocator<char>>;

/// The client side of one exchange.
struct ClientSide {
  Stream& stream;
  beast::flat_buffer& buffer;
  RequestParser& parser;  // head read; body not yet
  LazyScratch scratch;    // body relay buffer, taken when a body must stream
  const config::HttpLimits& limits;
  const ChunkMetadataGuard& chunk_guard;  // installed on `parser` (chunk_metadata_guard.hpp)
  // The upstream's response, parsed into `parser`'s arena. Kept by the caller, not in forward()'s
  // coroutine frame: a parser is large, and a frame past Asio's recycling limit is a malloc per request.
  std::optional<ResponseParser>& response;
  bool keep_alive = true;         // the client wants the connection kept (and we are not draining)
  unsigned version = 11;          // the client's HTTP version (forward() sets it before rewriting the head)
  bool private_response = false;  // add Cache-Control: private to the response (RFC 6750 §2.3)
  std::size_t primed = 0;         // the whole body is already in `scratch` (a form read for its token)
  std::span<const ResponseField> response_fields{};  // the verdict's (Authentication-Info), for the response
};

struct ProxyResult {
  /// Status sent to the client, or the status the caller must send (502/504/413) when
  /// `response_started` is false.
  int status = 0;
  Reason reason = Reason::ok;
  bool response_started = false;  // a response head went to the client
  bool keep_alive = false;        // the client connection may serve another request
  std::chrono::microseconds upstream_time{0};
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
};

/// Forwards the request whose head is in `client.parser` to `upstream`, whose parsed `target` came
/// from `pool`. `context` carries the identity and target for prepare_upstream_request(). Retries once
/// on a fresh connection when a pooled one turns out stale, only for idempotent requests without a
/// body (RFC 9110 §9.2.2).
boost::asio::awaitable<ProxyResult> forward(ClientSide& client, const config::Upstream& upstream,
                                            const UpstreamTarget& target, const ForwardContext& context,
                                            UpstreamPool& pool);

}  // namespace authgate::gateway
