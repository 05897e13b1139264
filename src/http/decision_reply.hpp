#pragma once
// The answer of a forward-auth decision that allows the original request (docs/forward-auth.md): a
// 200 without content that carries the identity for the front proxy to copy onto the request it
// forwards. Refusals are local replies (local_reply.hpp). Pure; no I/O.

#include <span>
#include <string>
#include <string_view>

#include "authgate/identity.hpp"
#include "http/headers.hpp"
#include "http/identity_headers.hpp"

namespace authgate::gateway {

struct AllowedDecision {
  const IdentityHeaders* names = nullptr;  // config `identity_headers` (never null)
  const Identity* identity = nullptr;      // nullptr: an anonymous route
  std::span<const ResponseField> fields;   // the verdict's Authentication-Info, if any
  std::string_view date;                   // IMF-fixdate
  unsigned client_version = 11;            // 10 gets `Connection: keep-alive` when kept
  bool keep_alive = true;
  bool report_status = false;  // nginx_compat: `X-Authgate-Status: 200` like every other answer
};

/// `200 OK`, Date, `Cache-Control: no-store`, the three identity fields — always all three, empty on an
/// anonymous route, so a front proxy that copies them overwrites what the client sent under those
/// names — then `fields`, `Content-Length: 0` and the connection fields.
ArenaString render_allowed_decision(const AllowedDecision& answer, const HeadAllocator<char>& allocator = {});

}  // namespace authgate::gateway
