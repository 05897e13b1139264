#pragma once
// One finished request, as the pipeline saw it: the single input of the access log and the metrics, so
// both always agree. Holds no credentials by construction.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "authgate/reason.hpp"
#include "http/request_id.hpp"

namespace authgate::gateway {

struct RequestRecord {
  std::chrono::system_clock::time_point start;  // when the request head was complete
  RequestId request_id;                         // a trusted front proxy's X-Request-Id, else made here
  std::string_view client;                      // peer address:port (the session's, which outlives it)
  std::string_view client_ip;                   // peer address (no brackets, no port)
  std::uint16_t client_port = 0;                // peer port
  std::string_view listener;                    // listener name
  std::string method;
  std::string path;  // request-target path without the query (may hold PII; no query)
  // Views into the request head, set just before the record is written (the head outlives the write).
  std::string_view host;          // the Host field as sent (forward auth: the original request's host)
  std::string_view user_agent;    // the User-Agent field as sent
  std::string_view protocol;      // "HTTP/1.1" or "HTTP/1.0"; empty when no request line was read
  std::string original_host;      // forward auth: the original request's host[:port] (host points here)
  std::string_view route;         // matched route name (a forward proxy: its listener), empty when none
  std::string destination;        // forward proxy: the host:port asked for, empty otherwise
  std::string forwarded_for;      // forward-auth: the client a trusted front proxy named, empty otherwise
  std::string_view throttled_by;  // a 429 from throttling: the banned key, "user" or "address"
  int status = 0;                 // status sent to the client
  std::string user;               // authenticated user-id; on a throttled request the claimed one; else empty
  std::string_view scheme;        // "Basic", "Bearer", … empty when none
  Reason reason = Reason::ok;     // why (from decide() or the proxy)
  bool cache_hit = false;         // verification served from the verify cache
  bool cache_lookup = false;      // the verify cache was consulted (hit or miss)
  std::chrono::microseconds auth_time{0};      // time spent authenticating (incl. worker-pool hop)
  std::chrono::microseconds upstream_time{0};  // request sent upstream → response head received
  std::chrono::microseconds total_time{0};     // head complete → last byte written
  std::uint64_t bytes_in = 0;                  // request body bytes
  std::uint64_t bytes_out = 0;                 // response body bytes
};

}  // namespace authgate::gateway
