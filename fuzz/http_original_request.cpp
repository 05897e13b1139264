// The original request of a forward-auth decision (http/original_request.hpp), on arbitrary bytes: a
// request head parsed by Beast, then read in every style, and its X-Forwarded-For chain split. Never
// crashes or leaks; an accepted original request has a host and a normalised origin-form path.
#include <cstdint>
#include <string_view>

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/original_request.hpp"

namespace {

namespace http = boost::beast::http;
using namespace authgate::gateway;

void check(bool condition) {
  if (!condition) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  // The first byte picks the prefix Envoy's style strips; the rest is a request head.
  const std::string_view prefix = (data[0] & 1) != 0 ? "/authz" : "";
  const std::string_view input{reinterpret_cast<const char*>(data + 1), size - 1};
  HeadArena arena;  // as the gateway parses: fields in the request's arena
  http::request_parser<http::empty_body, HeadAllocator<char>> parser{
      std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
  parser.header_limit(8 * 1024);
  parser.eager(false);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(input.data(), input.size()), ec);
  if (!parser.is_header_done()) return 0;
  const auto& request = parser.get();
  for (const auto style : {OriginalStyle::x_forwarded, OriginalStyle::x_original, OriginalStyle::envoy}) {
    const auto original = read_original_request(request, style, prefix, 1024);
    if (!original) {
      check(!to_string(original.error()).empty());
      continue;
    }
    check(!original->host.empty() && !original->method.empty());
    check(!original->parsed.path.empty() && original->parsed.path.front() == '/');
    check(original->parsed.path.find("/../") == std::string::npos);
    check(original->target.size() <= 1024 + 1);
  }
  for (const auto entry : forwarded_for_chain(request, 8)) {
    check(!entry.empty() && entry.front() != ' ' && entry.back() != ' ');
  }
  return 0;
}
