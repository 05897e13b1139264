// The demo's echo upstream (see echo_upstream.hpp).
#include "echo_upstream.hpp"

#include <thread>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace authgate::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string describe(const http::request<http::buffer_body>& request, std::uint64_t body_bytes) {
  const std::string_view target = request.target();
  const auto question = target.find('?');
  json::array headers;
  for (const auto& field : request) headers.push_back(json::array{field.name_string(), field.value()});
  json::object out;
  out["method"] = request.method_string();
  out["target"] = target;
  out["path"] = target.substr(0, question);
  out["query"] = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
  out["headers"] = std::move(headers);
  out["body_bytes"] = body_bytes;
  return json::serialize(out) + "\n";
}

// Reads the body piece by piece and counts it: a 1 GiB upload costs 64 KiB of memory.
asio::awaitable<bool> count_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                 http::request_parser<http::buffer_body>& parser, std::uint64_t& bytes) {
  std::vector<char> scratch(std::size_t{64} * 1024);
  while (!parser.is_done()) {
    parser.get().body().data = scratch.data();
    parser.get().body().size = scratch.size();
    stream.expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_read_some(stream, buffer, parser, use_tuple);
    if (ec && ec != http::error::need_buffer) co_return false;
    bytes += scratch.size() - parser.get().body().size;
  }
  co_return true;
}

asio::awaitable<void> serve(tcp::socket socket) {
  beast::tcp_stream stream{std::move(socket)};
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    parser.header_limit(64 * 1024);
    stream.expires_after(std::chrono::seconds(60));
    auto [ec, n] = co_await http::async_read_header(stream, buffer, parser, use_tuple);
    if (ec) break;
    std::uint64_t bytes = 0;
    if (!co_await count_body(stream, buffer, parser, bytes)) break;
    http::response<http::string_body> response{http::status::ok, 11};
    response.set(http::field::content_type, "application/json");
    response.set(http::field::server, "authgate-demo-echo");
    response.body() = describe(parser.get(), bytes);
    response.prepare_payload();
    response.keep_alive(parser.get().keep_alive());
    auto [wec, wn] = co_await http::async_write(stream, response, use_tuple);
    if (wec || !parser.get().keep_alive()) break;
  }
  boost::system::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted) co_return;
    if (!ec) asio::co_spawn(acceptor.get_executor(), serve(std::move(socket)), asio::detached);
  }
}

}  // namespace

struct EchoUpstream::State {
  asio::io_context context{1};
  tcp::acceptor acceptor{context};
  std::thread thread;
  std::uint16_t port = 0;
};

std::unique_ptr<EchoUpstream> EchoUpstream::start(const std::string& address) {
  auto state = std::make_unique<State>();
  const tcp::endpoint endpoint{asio::ip::make_address(address), 0};
  state->acceptor.open(endpoint.protocol());
  state->acceptor.bind(endpoint);
  state->acceptor.listen();
  state->port = state->acceptor.local_endpoint().port();
  asio::co_spawn(state->context, accept_loop(state->acceptor), asio::detached);
  state->thread = std::thread([context = &state->context] { context->run(); });
  return std::unique_ptr<EchoUpstream>(new EchoUpstream(std::move(state)));
}

EchoUpstream::EchoUpstream(std::unique_ptr<State> state) : state_(std::move(state)) {}

EchoUpstream::~EchoUpstream() {
  state_->context.stop();
  state_->thread.join();
}

std::uint16_t EchoUpstream::port() const noexcept { return state_->port; }

}  // namespace authgate::app
