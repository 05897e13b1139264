#pragma once
// RFC 6750 §2.2: the access token in a form-encoded request body. The body has to be read before the
// request can be judged, so it is read whole (bounded) into the session's scratch buffer, from where
// the proxy re-sends it upstream unchanged.

#include <chrono>
#include <cstddef>
#include <span>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>

#include "gateway/conn/stream.hpp"
#include "gateway/proxy/proxy.hpp"

namespace authgate::gateway {

/// True for a single-part `application/x-www-form-urlencoded` body (parameters such as charset
/// allowed), the only kind §2.2 admits; multipart and everything else are not searched.
bool is_form_urlencoded(std::string_view content_type) noexcept;

enum class FormRead : unsigned char { ok, too_large, failed };

struct FormBody {
  FormRead result = FormRead::ok;
  std::size_t bytes = 0;  // the whole body, at the start of `scratch`
};

/// Reads the rest of the request body whose head `parser` holds into `scratch` (at most `limit`
/// bytes, and at most scratch.size()); each read or write waits at most `timeout`. Answers an
/// `Expect: 100-continue` first (and removes the field). After `ok` the parser is done; otherwise the
/// connection cannot be reused.
boost::asio::awaitable<FormBody> read_form_body(Stream& stream, beast::flat_buffer& buffer,
                                                RequestParser& parser, std::span<char> scratch,
                                                std::size_t limit, std::chrono::milliseconds timeout);

}  // namespace authgate::gateway
