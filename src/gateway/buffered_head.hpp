#pragma once
// Parsing a message head that is already in a buffer, with no I/O: the common case on both sides of the
// proxy, where a head arrives in one piece. Beast's async_read_header finishes the rare one that did not.

#include <optional>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace authgate::gateway {

/// Feeds `buffer` to `parser` (a request or response parser, not eager) up to the end of the head.
/// The head's outcome (no error, or the parse error) when it is decided; nullopt when more bytes are
/// needed. Parsed bytes are consumed from `buffer`.
template <class Parser>
std::optional<boost::system::error_code> parse_buffered_head(Parser& parser,
                                                             boost::beast::flat_buffer& buffer) {
  boost::system::error_code ec;
  while (buffer.size() > 0) {
    const auto used = parser.put(buffer.data(), ec);
    buffer.consume(used);
    if (ec == boost::beast::http::error::need_more) return std::nullopt;
    if (ec || parser.is_header_done()) return ec;
    if (used == 0) return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace authgate::gateway
