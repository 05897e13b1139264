// The Redis link's way in: resolve, connect, handshake (AUTH, SELECT, PING), and reconnecting with
// capped exponential backoff after a failure.
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <random>

#include "net/redis_link.hpp"

namespace authgate::net::detail {
namespace {

namespace asio = boost::asio;

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

}  // namespace

void RedisLink::connect() {
  if (stopped_) return;
  const std::uint64_t generation = ++generation_;
  state_ = RedisState::connecting;
  set_status(state_, nullptr);
  retry_timer_.expires_after(options_.connect_timeout);
  retry_timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code ec) {
        if (ec || generation != self->generation_ || self->open_) return;
        self->fail("connect timed out after " + ms(self->options_.connect_timeout));
      }));
  const RedisEndpoint& endpoint = options_.endpoint;
  if (!endpoint.unix_path.empty()) {
    on_resolved(generation, Endpoints{asio::local::stream_protocol::endpoint(endpoint.unix_path)});
    return;
  }
  auto resolver = std::make_shared<asio::ip::tcp::resolver>(strand_);
  resolver->async_resolve(
      endpoint.host, std::to_string(endpoint.port),
      asio::bind_executor(
          strand_, [self = shared_from_this(), generation, resolver](
                       boost::system::error_code ec, const asio::ip::tcp::resolver::results_type& found) {
            if (generation != self->generation_) return;
            if (ec) return self->fail("cannot resolve the redis host: " + ec.message());
            Endpoints endpoints;
            for (const auto& entry : found) endpoints.emplace_back(entry.endpoint());
            self->on_resolved(generation, endpoints);
          }));
}

void RedisLink::on_resolved(std::uint64_t generation, const Endpoints& endpoints) {
  // The condition stops the walk over several addresses once this attempt has been given up.
  asio::async_connect(
      socket_, endpoints,
      [self = shared_from_this(), generation](const boost::system::error_code&, const auto&) {
        return generation == self->generation_;
      },
      asio::bind_executor(strand_,
                          [self = shared_from_this(), generation](boost::system::error_code ec, const auto&) {
                            self->on_connected(generation, ec);
                          }));
}

void RedisLink::on_connected(std::uint64_t generation, boost::system::error_code ec) {
  if (generation != generation_) return;
  if (ec) return fail("cannot connect to redis: " + ec.message());
  open_ = true;
  if (options_.endpoint.unix_path.empty()) {
    boost::system::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  handshake();
  read();
  write();
}

void RedisLink::handshake() {
  const std::uint64_t generation = generation_;
  const auto deadline = SteadyClock::now() + options_.timeout;
  std::string bytes;
  std::vector<Pending> steps;
  // A refused AUTH or SELECT ends this connection; the commands queued behind it fail with unavailable.
  auto must_not_fail = [self = shared_from_this(), generation](const char* what) {
    return [self, generation, what](const RedisResult& r) {
      if (r && r->type == RedisReply::Type::error && generation == self->generation_) {
        self->fail(std::string(what) + " refused: " + r->text);
      }
    };
  };
  const RedisEndpoint& endpoint = options_.endpoint;
  if (!endpoint.password.empty()) {
    bytes += endpoint.user.empty() ? encode_command({"AUTH", endpoint.password})
                                   : encode_command({"AUTH", endpoint.user, endpoint.password});
    steps.push_back({deadline, must_not_fail("AUTH")});
  }
  if (endpoint.db != 0) {
    bytes += encode_command({"SELECT", std::to_string(endpoint.db)});
    steps.push_back({deadline, must_not_fail("SELECT")});
  }
  // The answer to PING is what makes the link "connected": a server that accepts connections but does
  // not answer (stopped, busy loading) stays "connecting" for /readyz.
  bytes += encode_command({"PING"});
  steps.push_back({deadline, [self = shared_from_this(), generation](const RedisResult& r) {
                     if (generation != self->generation_) return;
                     if (r && r->type == RedisReply::Type::error)
                       return self->fail("PING refused: " + r->text);
                     if (!r) return;
                     self->failures_ = 0;
                     self->state_ = RedisState::connected;
                     self->set_status(self->state_, nullptr);
                   }});
  queued_.insert(0, bytes);
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) pending_.push_front(std::move(*it));
  arm_timer(deadline);
}

void RedisLink::retry_later() {
  if (stopped_) return;
  // Capped exponential backoff with jitter, so gateways that lost one Redis do not return in lock-step.
  const unsigned shift = std::min(failures_ > 0 ? failures_ - 1 : 0U, 20U);
  const auto cap = std::min(options_.reconnect_max, options_.reconnect_min * (std::int64_t{1} << shift));
  thread_local std::minstd_rand random{std::random_device{}()};
  const auto delay = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(
      cap.count() / 2, std::max<std::int64_t>(cap.count(), 1))(random));
  const std::uint64_t generation = generation_;
  retry_timer_.expires_after(delay);
  retry_timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code ec) {
        if (!ec && generation == self->generation_) self->connect();
      }));
}

}  // namespace authgate::net::detail
