// Name resolution with a deadline (see resolve.hpp).
#include "gateway/proxy/resolve.hpp"

#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace authgate::gateway {

namespace asio = boost::asio;

asio::awaitable<std::pair<boost::system::error_code, asio::ip::tcp::resolver::results_type>> resolve_within(
    asio::any_io_executor executor, const std::string& host, std::uint16_t port,
    std::chrono::steady_clock::time_point deadline) {
  // The handler holds the resolver weakly: a wait that fires after this coroutine ended touches nothing
  // freed.
  const auto resolver = std::make_shared<asio::ip::tcp::resolver>(executor);
  asio::steady_timer alarm{executor, deadline};
  alarm.async_wait([weak = std::weak_ptr(resolver)](boost::system::error_code ec) {
    if (auto r = weak.lock(); r && !ec) r->cancel();
  });
  boost::system::error_code not_literal;
  (void)asio::ip::make_address(host, not_literal);
  const auto flags = !not_literal ? asio::ip::resolver_base::numeric_host : asio::ip::resolver_base::flags{};
  auto [ec, results] = co_await resolver->async_resolve(host, std::to_string(port), flags,
                                                        asio::as_tuple(asio::use_awaitable));
  alarm.cancel();
  co_return std::pair{ec, std::move(results)};
}

}  // namespace authgate::gateway
