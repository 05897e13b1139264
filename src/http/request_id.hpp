#pragma once
// The request id that ties one request's access-log line to the upstream's own logs: taken from a trusted
// front proxy's `X-Request-Id` (or the trace-id of its W3C `traceparent`), otherwise made here, and sent
// to the upstream as `X-Request-Id`. A client that is not a trusted proxy cannot choose it: an id it sends
// is replaced, so log correlation cannot be forged. Untrusted input (fuzzed: fuzz/http_request_id.cpp).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace authgate::gateway {

/// Longest id taken from a front proxy; a longer one is replaced by a fresh id.
inline constexpr std::size_t max_request_id = 64;

/// An id held in place (no allocation per request).
class RequestId {
 public:
  RequestId() = default;
  std::string_view view() const noexcept { return {bytes_.data(), size_}; }
  bool empty() const noexcept { return size_ == 0; }

 private:
  // Made only by the two functions below, from text they checked or wrote: every id is characters that
  // go into a header and a JSON log line as they are (the access log writes it without escaping).
  friend RequestId fresh_request_id() noexcept;
  friend RequestId choose_request_id(std::string_view, std::string_view, bool) noexcept;
  /// `text` must be valid_request_id() or a trace-id.
  explicit RequestId(std::string_view text) noexcept;

  std::array<char, max_request_id> bytes_{};
  std::size_t size_ = 0;
};

/// 1–max_request_id characters of A–Z a–z 0–9 and `-._:/+=`: what request-id generators emit (UUIDs,
/// nginx's $request_id, Envoy's, base64 ones), and nothing that could break a log line or a header.
bool valid_request_id(std::string_view text) noexcept;

/// The trace-id of a W3C Trace Context `traceparent` (version 00: "00-<32 hex>-<16 hex>-<2 hex>", lower
/// case, neither id all zeros); empty when it is not one.
std::string_view trace_id_of(std::string_view traceparent) noexcept;

/// A fresh id: 32 lower-case hex digits from a per-thread generator seeded once from the system.
RequestId fresh_request_id() noexcept;

/// The id of a request: from `x_request_id` (else `traceparent`'s trace-id) when the peer is `trusted`
/// and the value is well formed, otherwise fresh.
RequestId choose_request_id(std::string_view x_request_id, std::string_view traceparent,
                            bool trusted) noexcept;

}  // namespace authgate::gateway
