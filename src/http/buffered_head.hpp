#pragma once
// Parsing a message head that is already in memory, with no I/O: the common case on both sides of the
// proxy, where a head arrives in one piece. Beast's async_read_header finishes the rare one that did not.

#include <cstring>
#include <optional>
#include <string_view>

#include <boost/asio/buffer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace authgate::gateway {

/// True when a raw message head folds a field line (obs-fold, RFC 9112 §5.2) or starts a line with
/// whitespace right after the start-line (§2.2): any LF followed by SP or HTAB.
inline bool has_folded_line(std::string_view head) noexcept {
  const char* p = head.data();
  const char* const end = head.data() + head.size();
  while (p < end) {
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    if (lf == nullptr || lf + 1 >= end) return false;
    if (lf[1] == ' ' || lf[1] == '\t') return true;
    p = lf + 1;
  }
  return false;
}

/// Feeds `bytes` to `parser` (a request or response parser, not eager) up to the end of the head and
/// advances `bytes` past what it took. The head's outcome (no error, or the parse error) when it is
/// decided; nullopt when more bytes are needed. A request head with a folded line is refused with
/// bad_value: Beast would join the lines, and a field riding in the fold (an indented Content-Length)
/// is read as its own field by any peer that does not unfold (RFC 9112 §5.2 lets a server reject it).
/// A response's folds are joined, as §5.2 allows a proxy.
template <class Parser>
std::optional<boost::system::error_code> feed_head(Parser& parser, boost::asio::const_buffer& bytes) {
  boost::system::error_code ec;
  while (bytes.size() > 0) {
    const auto used = parser.put(bytes, ec);
    // Beast takes a head in one put() once all of it is there, so `used` spans the whole head.
    if (Parser::is_request::value && !ec && parser.is_header_done() &&
        has_folded_line({static_cast<const char*>(bytes.data()), used})) {
      ec = boost::beast::http::error::bad_value;
    }
    bytes += used;
    if (ec == boost::beast::http::error::need_more) return std::nullopt;
    if (ec || parser.is_header_done()) return ec;
    if (used == 0) return std::nullopt;
  }
  return std::nullopt;
}

/// feed_head() on the bytes of `buffer`, consuming what the parser took.
template <class Parser>
std::optional<boost::system::error_code> parse_buffered_head(Parser& parser,
                                                             boost::beast::flat_buffer& buffer) {
  boost::asio::const_buffer bytes = buffer.data();
  const auto outcome = feed_head(parser, bytes);
  buffer.consume(buffer.size() - bytes.size());
  return outcome;
}

/// feed_head() on bytes outside any buffer (the session's landing area): what the parser did not take
/// (the rest of an incomplete head, a body's first bytes, a pipelined request) is appended to `rest`.
template <class Parser>
std::optional<boost::system::error_code> parse_head_from(Parser& parser, boost::asio::const_buffer bytes,
                                                         boost::beast::flat_buffer& rest) {
  const auto outcome = feed_head(parser, bytes);
  if (bytes.size() > 0) rest.commit(boost::asio::buffer_copy(rest.prepare(bytes.size()), bytes));
  return outcome;
}

}  // namespace authgate::gateway
