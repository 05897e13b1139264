#pragma once
// The wire bytes of a message head, exactly as Beast's serializer writes them (start line, the fields
// in order, the empty line). The proxy's common case — a request without a body, a response whose
// body came whole with its head — then goes out in one gather write, without walking Beast's
// serializer (its buffer-sequence iteration cost more than the bytes it produces).

#include <string>

#include <boost/beast/http/message.hpp>

#include "http/head_arena.hpp"

namespace authgate::gateway {

namespace http = boost::beast::http;

std::string head_bytes(const RequestHead& head);
std::string head_bytes(const ResponseHead& head);

}  // namespace authgate::gateway
