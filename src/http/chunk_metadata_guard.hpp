#pragma once
// Bounds what a chunked body carries besides its data: the extensions of one chunk line and the trailer
// section (RFC 9112 §7.1.1, §7.1.2). The gateway forwards neither, but Beast buffers a whole chunk
// line, and the last chunk with every trailer field, before it parses them: without a bound a client
// (or an upstream) grows the process by whatever it sends (issue 11 F5). Two fences:
//  - the read buffer's max_size (cap_read_buffer) ends any line or trailer section that no real message
//    needs with http::error::buffer_overflow, so memory stays bounded whatever is sent;
//  - this guard, installed as the parser's chunk-header callback, refuses extensions over the configured
//    limit with bad_chunk_extension, and trailers_too_large() tells the relay when the trailer section
//    was larger than the limit, before the message's end is passed on.

#include <cstddef>
#include <cstdint>

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/fields.hpp>

#include "http/head_arena.hpp"

namespace authgate::gateway {

/// Largest piece of body a relay reads at once (Beast reads at most 64 KiB into a parser's buffer).
inline constexpr std::size_t relay_read_bytes = std::size_t{64} * 1024;

/// Caps `buffer` (which holds a head, then unparsed body bytes) at what a message within the limits
/// can need: a whole head, one relay read, and one line or trailer section at the metadata limit.
inline void cap_read_buffer(boost::beast::flat_buffer& buffer, std::size_t max_head_bytes,
                            std::size_t max_metadata_bytes) {
  buffer.max_size(max_head_bytes + relay_read_bytes + max_metadata_bytes);
}

class ChunkMetadataGuard {
 public:
  /// `message` is the fields of the message whose parser this guard watches; trailers are appended to
  /// them by Beast's parser once the last chunk is parsed.
  ChunkMetadataGuard(std::size_t max_bytes, const Fields& message)
      : max_bytes_(max_bytes), message_(message) {}

  /// The parser's chunk-header callback (parser::on_chunk_header keeps a reference: the guard must
  /// outlive the parser's reads).
  void operator()(std::uint64_t size, boost::beast::string_view extensions, boost::system::error_code& ec) {
    if (extensions.size() > max_bytes_) {
      ec = boost::beast::http::error::bad_chunk_extension;
      return;
    }
    // The last chunk: the trailer fields are parsed next and appended after the ones there now.
    if (size == 0) fields_before_trailers_ = count_fields();
  }

  /// True once the message's trailer section (names, values and their separators) exceeds the limit.
  bool trailers_too_large() const {
    if (fields_before_trailers_ == no_trailers_yet) return false;
    std::size_t index = 0;
    std::size_t bytes = 0;
    for (const auto& field : message_) {
      if (index++ < fields_before_trailers_) continue;
      bytes += field.name_string().size() + field.value().size() + 4;  // ": " and CRLF
    }
    return bytes > max_bytes_;
  }

 private:
  static constexpr std::size_t no_trailers_yet = static_cast<std::size_t>(-1);

  std::size_t count_fields() const {
    std::size_t n = 0;
    for (auto it = message_.begin(); it != message_.end(); ++it) ++n;
    return n;
  }

  std::size_t max_bytes_;
  const Fields& message_;
  std::size_t fields_before_trailers_ = no_trailers_yet;
};

}  // namespace authgate::gateway
