#include "gateway/conn/stream.hpp"

#include <sys/socket.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace authgate::gateway {

template <class... Args>
Stream::Impl::Impl(Args&&... args)
    : stream(std::forward<Args>(args)...),
      timer(std::visit([](auto& s) { return s.get_executor(); }, stream)) {}

Stream::Stream(TcpSocket socket)
    : impl_(std::make_shared<Impl>(std::in_place_type<TcpSocket>, std::move(socket))) {}

Stream::Stream(TcpSocket socket, asio::ssl::context& context)
    : impl_(std::make_shared<Impl>(std::in_place_type<TlsStream>, std::move(socket), context)) {}

void Stream::expires_at(Clock::time_point t) {
  impl_->expired = false;
  impl_->deadline = t;
  if (t < impl_->armed) arm(impl_, t);  // earlier than the pending wait (or none): wake sooner
}

void Stream::expires_never() {
  impl_->expired = false;
  impl_->deadline = Clock::time_point::max();  // a pending wait finds nothing to do when it fires
}

void Stream::arm(const std::shared_ptr<Impl>& impl, Clock::time_point t) {
  impl->armed = t;
  impl->timer.expires_at(t);  // cancels an earlier wait, whose handler then returns at once
  impl->timer.async_wait(
      [weak = std::weak_ptr<Impl>(impl)](boost::system::error_code ec) { on_timer(weak, ec); });
}

void Stream::on_timer(const std::weak_ptr<Impl>& weak, boost::system::error_code ec) {
  if (ec == asio::error::operation_aborted) return;  // re-armed or destroyed
  const auto impl = weak.lock();
  if (!impl) return;
  const auto now = Clock::now();
  if (impl->timer.expiry() > now) return;  // re-armed after this wait completed: a newer one is pending
  impl->armed = Clock::time_point::max();
  if (impl->deadline <= now) {
    impl->expired = true;
    boost::system::error_code ignored;
    std::visit([&](auto& s) { beast::get_lowest_layer(s).cancel(ignored); }, impl->stream);
  } else if (impl->deadline != Clock::time_point::max()) {
    arm(impl, impl->deadline);  // the deadline moved on since this wait was set: wait for the new one
  }
}

void Stream::close() noexcept {
  boost::system::error_code ignored;
  auto& s = socket();
  s.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  s.close(ignored);
  try {
    impl_->timer.cancel();
  } catch (const boost::system::system_error&) {  // never fails with Asio's reactors; noexcept anyway
  }
  impl_->armed = Clock::time_point::max();
}

std::size_t Stream::send_now(asio::const_buffer bytes, boost::system::error_code& ec) noexcept {
  ec = {};
  auto* tcp = std::get_if<TcpSocket>(&impl_->stream);
  if (tcp == nullptr || !tcp->is_open() || bytes.size() == 0) return 0;
  for (;;) {
    // MSG_DONTWAIT whatever the socket's mode; MSG_NOSIGNAL: a closed peer is EPIPE, not SIGPIPE.
    const auto n = ::send(tcp->native_handle(), bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return static_cast<std::size_t>(n);
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) ec.assign(errno, boost::system::system_category());
    return 0;
  }
}

StartedWrite start_write(Stream& stream, asio::const_buffer bytes) noexcept {
  StartedWrite write;
  const auto sent = stream.send_now(bytes, write.ec);
  if (!write.ec) write.rest = bytes + sent;
  return write;
}

asio::awaitable<boost::system::error_code> finish_write(Stream& stream, asio::const_buffer rest,
                                                        Stream::Clock::duration timeout) {
  stream.expires_after(timeout);
  auto [ec, n] = co_await stream.visit(
      [&](auto& s) { return asio::async_write(s, rest, asio::as_tuple(asio::use_awaitable)); });
  co_return stream.timed(ec);
}

asio::awaitable<boost::system::error_code> write_all(Stream& stream, asio::const_buffer bytes,
                                                     Stream::Clock::duration timeout) {
  const auto write = start_write(stream, bytes);
  if (write.done()) co_return write.ec;
  co_return co_await finish_write(stream, write.rest, timeout);
}

}  // namespace authgate::gateway
