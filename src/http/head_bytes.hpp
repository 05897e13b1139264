#pragma once
// The wire bytes of a message head, exactly as Beast's serializer writes them (start line, the fields
// in order, the empty line). The proxy's common case — a request without a body, a response whose
// body came whole with its head — then goes out in one gather write, without walking Beast's
// serializer (its buffer-sequence iteration cost more than the bytes it produces).

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <boost/beast/http/message.hpp>

#include "http/head_arena.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

std::string head_bytes(const RequestHead& head);
std::string head_bytes(const ResponseHead& head);

/// The same bytes followed by `room` bytes for a body the caller fills, allocated in the arena the head's
/// own fields live in (so they are gone when the request ends): the proxy's writes cost no malloc. The
/// head must be one of the request path's, whose allocator has an arena (std::logic_error otherwise).
/// `more_fields` (wire bytes, "Name: value\r\n" each: prepare_upstream_head()) go after the head's fields.
std::span<char> head_bytes_in_arena(const RequestHead& head, std::size_t room = 0,
                                    std::string_view more_fields = {});
std::span<char> head_bytes_in_arena(const ResponseHead& head, std::size_t room = 0);

}  // namespace authgate::gateway
