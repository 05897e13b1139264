// Where a parsed head's fields go, priced alone (issue 19's parser question). Both sides run Beast's
// basic_parser, so every syntax check is the same; they differ only in the store behind on_field_impl():
// - BeastFields: the gateway's parser (Beast's http::parser, fields in basic_fields over the request's
//   HeadArena: one element per line, a copy of name and value, a tree insert by name);
// - FlatViews: a basic_parser subclass that keeps each line as (enum, name, value) views into the read
//   buffer, in a fixed array.
// The heads are bench/cost's noauth request and the response its nginx upstream sends. Instructions per
// head: run under `valgrind --tool=callgrind` (each benchmark runs a fixed count) and divide the inclusive
// count of basic_parser::put by its calls (bench/README.md, "The parser question").

#include <array>
#include <cstdint>
#include <string_view>
#include <tuple>

#include <benchmark/benchmark.h>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>

#include "http/head_arena.hpp"

namespace {

namespace http = boost::beast::http;
using authgate::gateway::HeadAllocator;
using authgate::gateway::HeadArena;
using boost::system::error_code;
using beast_view = boost::beast::string_view;  // Beast's callbacks take Boost's string_view

constexpr std::string_view request_head =
    "GET /public/item HTTP/1.1\r\n"
    "Host: app.example.com\r\n"
    "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
    "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8\r\n"
    "Accept-Encoding: gzip, deflate, br, zstd\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

constexpr std::string_view response_head =
    "HTTP/1.1 200 OK\r\n"
    "Server: nginx/1.22.1\r\n"
    "Date: Fri, 04 Dec 2026 14:46:21 GMT\r\n"
    "Content-Type: text/plain\r\n"
    "Content-Length: 3\r\n"
    "Connection: keep-alive\r\n"
    "\r\n";

/// Beast's basic_parser keeping each field line as views into the buffer it was given.
template <bool IsRequest>
class FlatViewParser : public http::basic_parser<IsRequest> {
 public:
  struct Line {
    http::field name;
    beast_view name_string;
    beast_view value;
  };
  std::size_t size() const noexcept { return count_; }
  const Line& operator[](std::size_t i) const noexcept { return lines_[i]; }

 private:
  std::array<Line, 100> lines_{};
  std::size_t count_ = 0;
  beast_view start_[3];

  void on_request_impl(http::verb /*method*/, beast_view method_string, beast_view target, int /*version*/,
                       error_code& /*ec*/) override {
    start_[0] = method_string;
    start_[1] = target;
  }
  void on_response_impl(int /*code*/, beast_view reason, int /*version*/, error_code& /*ec*/) override {
    start_[2] = reason;
  }
  void on_field_impl(http::field name, beast_view name_string, beast_view value, error_code& ec) override {
    if (count_ == lines_.size()) {
      ec = http::error::header_limit;
      return;
    }
    lines_[count_++] = Line{name, name_string, value};
  }
  void on_header_impl(error_code& /*ec*/) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& /*length*/, error_code& /*ec*/) override {}
  std::size_t on_body_impl(beast_view body, error_code& /*ec*/) override { return body.size(); }
  void on_chunk_header_impl(std::uint64_t /*size*/, beast_view /*extensions*/, error_code& /*ec*/) override {}
  std::size_t on_chunk_body_impl(std::uint64_t /*remain*/, beast_view body, error_code& /*ec*/) override {
    return body.size();
  }
  void on_finish_impl(error_code& /*ec*/) override {}
};

// Fixed, so that a run under callgrind divides by a known count (timed runs would pick 1 under valgrind).
constexpr benchmark::IterationCount iterations = 20000;

template <bool IsRequest>
void parse_into_beast_fields(benchmark::State& state, std::string_view head) {
  for (auto _ : state) {
    HeadArena arena;
    http::parser<IsRequest, http::buffer_body, HeadAllocator<char>> parser{
        std::piecewise_construct, std::tuple<>{}, std::make_tuple(HeadAllocator<char>{arena})};
    error_code ec;
    const auto used = parser.put(boost::asio::buffer(head.data(), head.size()), ec);
    if (ec || !parser.is_header_done()) state.SkipWithError("the head did not parse");
    benchmark::DoNotOptimize(used);
    benchmark::DoNotOptimize(parser.get().begin());
  }
}

template <bool IsRequest>
void parse_into_flat_views(benchmark::State& state, std::string_view head) {
  for (auto _ : state) {
    FlatViewParser<IsRequest> parser;
    error_code ec;
    const auto used = parser.put(boost::asio::buffer(head.data(), head.size()), ec);
    if (ec || !parser.is_header_done()) state.SkipWithError("the head did not parse");
    benchmark::DoNotOptimize(used);
    benchmark::DoNotOptimize(parser[0]);
  }
}

void BM_RequestHeadBeastFields(benchmark::State& state) {
  parse_into_beast_fields<true>(state, request_head);
}
BENCHMARK(BM_RequestHeadBeastFields)->Iterations(iterations);

void BM_RequestHeadFlatViews(benchmark::State& state) { parse_into_flat_views<true>(state, request_head); }
BENCHMARK(BM_RequestHeadFlatViews)->Iterations(iterations);

void BM_ResponseHeadBeastFields(benchmark::State& state) {
  parse_into_beast_fields<false>(state, response_head);
}
BENCHMARK(BM_ResponseHeadBeastFields)->Iterations(iterations);

void BM_ResponseHeadFlatViews(benchmark::State& state) { parse_into_flat_views<false>(state, response_head); }
BENCHMARK(BM_ResponseHeadFlatViews)->Iterations(iterations);

}  // namespace
