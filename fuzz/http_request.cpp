// A request as the gateway reads it, on arbitrary bytes: the head through feed_head() (Beast's parser plus
// the obs-fold refusal), check_head() (Transfer-Encoding list, Host, request-target with its path
// parameters), then, for a chunked head, the body through the parser with the ChunkMetadataGuard and the
// capped buffer the session uses. Never crashes or leaks; every accepted head obeys the rules the proxy
// relies on (issue 11 F3, F5, F7, F9).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/buffered_head.hpp"
#include "http/chunk_metadata_guard.hpp"
#include "http/head_check.hpp"

namespace {

namespace http = boost::beast::http;
using namespace authgate::gateway;

void check(bool condition) {
  if (!condition) std::abort();
}

void check_accepted_head(const HeadCheck& head, const RequestHead& request) {
  // A head that passed: one clean framing, a host of one spelling, a path routes can trust.
  const auto coding = classify_transfer_encoding(request);
  check(coding == TransferCoding::none || coding == TransferCoding::chunked);
  check(head.host.find('%') == std::string::npos && (head.host.empty() || head.host.back() != '.'));
  const auto& path = head.target.match_path();
  check(path == "*" || (!path.empty() && path.front() == '/'));
  check(path.find(';') == std::string::npos);
  check(path.find("/../") == std::string::npos && path.find("/./") == std::string::npos);
}

void read_body(http::request_parser<http::buffer_body, HeadAllocator<char>>& parser, std::string_view rest) {
  ChunkMetadataGuard guard{256, parser.get()};
  parser.on_chunk_header(guard);
  char scratch[512];
  while (!rest.empty() && !parser.is_done()) {
    auto& body = parser.get().body();
    body.data = scratch;
    body.size = sizeof scratch;
    boost::system::error_code ec;
    const auto used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec == http::error::need_buffer) continue;
    if (ec || used == 0) return;
  }
  if (parser.is_done()) (void)guard.trailers_too_large();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input{reinterpret_cast<const char*>(data), size};
  HeadArena arena;  // as the gateway parses: fields in the request's arena
  http::request_parser<http::buffer_body, HeadAllocator<char>> parser{
      std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
  parser.header_limit(8 * 1024);
  boost::asio::const_buffer bytes{input.data(), input.size()};
  const auto outcome = feed_head(parser, bytes);
  if (!outcome || *outcome) return 0;
  const std::string_view head_bytes{input.data(), input.size() - bytes.size()};
  check(!has_folded_line(head_bytes));
  auto& request = parser.get();
  authgate::gateway::HeadLimits limits;
  const auto head = check_head(request.base(), parser.chunked(), limits);
  if (head.status != 0) return 0;
  check_accepted_head(head, request.base());
  if (parser.chunked()) read_body(parser, {static_cast<const char*>(bytes.data()), bytes.size()});
  return 0;
}
