// Reading a form body whole, bounded (RFC 6750 §2.2).
#include "gateway/proxy/form_body.hpp"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::gateway {

bool is_form_urlencoded(std::string_view content_type) noexcept {
  const auto semicolon = content_type.find(';');
  std::string_view type = content_type.substr(0, semicolon);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  return grammar::iequals(type, "application/x-www-form-urlencoded");
}

boost::asio::awaitable<FormBody> read_form_body(Stream& stream, beast::flat_buffer& buffer,
                                                RequestParser& parser, std::span<char> scratch,
                                                std::size_t limit, std::chrono::milliseconds timeout) {
  FormBody form;
  const auto tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  auto& request = parser.get();
  // clang-analyzer 14 does not model coroutine frames: the path it reports from here into Asio's awaitable
  // internals is a false positive (asio#1511).
  // NOLINTNEXTLINE(clang-analyzer-core.NullDereference)
  if (request.version() >= 11 && grammar::iequals(request[http::field::expect], "100-continue")) {
    // RFC 9110 §10.1.1: the client waits for this before sending the body we need to judge it. The
    // field is then removed, so the proxy does not answer 100 a second time.
    static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    stream.expires_after(timeout);
    auto [ec, n] = co_await stream.visit([&](auto& s) {
      return boost::asio::async_write(s, boost::asio::buffer(go_on.data(), go_on.size()), tuple);
    });
    if (ec) {
      form.result = FormRead::failed;
      co_return form;
    }
    request.erase(http::field::expect);
  }
  const std::size_t room = std::min(limit, scratch.size());
  auto& body = request.body();
  while (!parser.is_done()) {
    if (form.bytes >= room) {
      form.result = FormRead::too_large;
      co_return form;
    }
    body.data = scratch.data() + form.bytes;
    body.size = room - form.bytes;
    stream.expires_after(timeout);
    auto [ec, n] =
        co_await stream.visit([&](auto& s) { return http::async_read_some(s, buffer, parser, tuple); });
    if (ec == http::error::need_buffer) ec = {};
    form.bytes = room - body.size;
    if (ec) {
      form.result = ec == http::error::body_limit ? FormRead::too_large : FormRead::failed;
      co_return form;
    }
  }
  co_return form;
}

}  // namespace authgate::gateway
