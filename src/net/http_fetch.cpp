// The gateway's HTTP client: one deadline per fetch, optional keep-alive (see net/http_fetch.hpp). The
// exchange itself is in net/fetch_link.cpp; the idle connections are in net/fetch_pool.cpp (fetch) and
// net/fetch_context_pool.cpp (async_fetch).
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/throw_exception.hpp>
#include <optional>
#include <stdexcept>

#include "net/fetch_context_pool.hpp"
#include "net/fetch_link.hpp"
#include "net/fetch_pool.hpp"
#include "net/fetch_url.hpp"
#include "net/http_fetch_async.hpp"

// GCC 12 reports a false -Wmismatched-new-delete for Asio's awaitable frame operator new/delete pair in
// this file's coroutines (GCC bug 109224).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

namespace authgate::net {
namespace {

namespace asio = boost::asio;
using detail::SteadyClock;

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Wipes the request's secrets (the token in the body, the client credentials) when the fetch ends.
struct RequestWipe {
  FetchRequest& request;
  ~RequestWipe() {
    OPENSSL_cleanse(request.body.data(), request.body.size());
    OPENSSL_cleanse(request.authorization.data(), request.authorization.size());
  }
};

// The request's URL, or why it must not be sent.
boost::system::result<FetchUrl, FetchError> checked_url(const FetchRequest& request) {
  auto url = parse_fetch_url(request.url);
  if (!url) return FetchError{FetchErrc::bad_url, url.error()};
  if (has_line_break(request.authorization)) {
    return FetchError{FetchErrc::bad_url, "the Authorization value contains a line break"};
  }
  return std::move(*url);
}

std::string origin_of(const FetchUrl& url) {
  return (url.https ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
}

// One fetch on `link`: a parked connection first, when it holds one; a fresh one when it holds none or
// the parked one turned out closed before answering (see ConnectionReuse).
asio::awaitable<FetchResult> fetch_on(detail::FetchLink& link, asio::ssl::context& tls, const FetchUrl& url,
                                      const FetchRequest& request, const FetchLimits& limits,
                                      SteadyClock::time_point deadline, bool keep_alive) {
  if (link.is_open()) {
    auto reused = co_await detail::exchange(link, url, request, limits, deadline, keep_alive);
    if (!reused.nothing_received) co_return std::move(reused.result);
    link.close();
  }
  if (auto failed = co_await detail::open_link(link, tls, url, deadline)) co_return std::move(*failed);
  auto fresh = co_await detail::exchange(link, url, request, limits, deadline, keep_alive);
  co_return std::move(fresh.result);
}

}  // namespace

std::string_view to_string(FetchErrc code) noexcept {
  switch (code) {
    case FetchErrc::bad_url:
      return "bad_url";
    case FetchErrc::tls_setup:
      return "tls_setup";
    case FetchErrc::resolve_failed:
      return "resolve_failed";
    case FetchErrc::connect_failed:
      return "connect_failed";
    case FetchErrc::tls_failed:
      return "tls_failed";
    case FetchErrc::timeout:
      return "timeout";
    case FetchErrc::io_error:
      return "io_error";
    case FetchErrc::too_large:
      return "too_large";
    case FetchErrc::bad_response:
      return "bad_response";
    case FetchErrc::redirect:
      return "redirect";
  }
  return "unknown";
}

std::string FetchError::message() const { return std::string(to_string(code)) + ": " + detail; }

void throw_exception_from_error(const FetchError& error, const boost::source_location& loc) {
  boost::throw_exception(std::runtime_error(error.message()), loc);
}

struct HttpClient::Impl {
  explicit Impl(ConnectionReuse reuse) : keep_alive(reuse.max_idle > 0), pool(reuse), context_pool(reuse) {}
  // Declared first: destroyed after the pools, which close the connections it set up.
  asio::ssl::context tls{asio::ssl::context::tls_client};
  bool keep_alive;
  detail::FetchPool pool;                 // fetch()
  detail::ContextFetchPool context_pool;  // async_fetch()
};

HttpClient::HttpClient(ConnectionReuse reuse) : impl_(std::make_unique<Impl>(reuse)) {}
HttpClient::~HttpClient() = default;

asio::ssl::context& HttpClient::tls_context() const noexcept { return impl_->tls; }

detail::ContextFetchPool& HttpClient::context_pool() const noexcept { return impl_->context_pool; }

std::size_t HttpClient::idle_connections() const {
  return impl_->pool.idle_count() + impl_->context_pool.idle_count();
}

boost::system::result<std::shared_ptr<const HttpClient>, FetchError> HttpClient::create(
    const std::string& ca_file, ConnectionReuse reuse) {
  std::shared_ptr<HttpClient> client(new HttpClient(reuse));
  auto& tls = client->impl_->tls;
  SSL_CTX_set_min_proto_version(tls.native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (ca_file.empty()) {
    tls.set_default_verify_paths(ec);
  } else {
    tls.load_verify_file(ca_file, ec);
  }
  if (ec) return FetchError{FetchErrc::tls_setup, "cannot load trust anchors: " + ec.message()};
  tls.set_verify_mode(asio::ssl::verify_peer);
  return std::shared_ptr<const HttpClient>(std::move(client));
}

asio::awaitable<FetchResult> async_fetch(const HttpClient& client, FetchRequest request, FetchLimits limits) {
  const RequestWipe wipe{request};
  const auto url = checked_url(request);
  if (!url) co_return url.error();
  const auto deadline = SteadyClock::now() + limits.timeout;
  const std::string origin = origin_of(*url);
  // A connection's sockets belong to the io_context they were opened on: it is parked and found there.
  const auto executor = co_await asio::this_coro::executor;
  asio::execution_context& context = asio::query(executor, asio::execution::context);
  auto& pool = client.context_pool();
  std::unique_ptr<detail::ParkedLink> parked = pool.take(context, origin);
  if (!parked) parked = std::make_unique<detail::ParkedLink>(origin);
  auto result = co_await fetch_on(parked->link, client.tls_context(), *url, request, limits, deadline,
                                  pool.keep_alive());
  // Nothing is pending on the connection now (every operation on it has completed).
  pool.give_back(context, std::move(parked));
  co_return result;
}

FetchResult HttpClient::fetch(FetchRequest request, const FetchLimits& limits) const {
  const RequestWipe wipe{request};
  const auto url = checked_url(request);
  if (!url) return url.error();
  const auto deadline = SteadyClock::now() + limits.timeout;
  const std::string origin = origin_of(*url);
  // Declared after the request and URL: destroying it (with any coroutine still pending on its
  // io_context after the backstop below) must happen while they are alive.
  std::unique_ptr<detail::PooledLink> pooled = impl_->keep_alive ? impl_->pool.take(origin) : nullptr;
  if (!pooled) pooled = std::make_unique<detail::PooledLink>(origin);
  pooled->io.restart();
  std::optional<FetchResult> out;
  asio::co_spawn(pooled->io,
                 fetch_on(pooled->link, impl_->tls, *url, request, limits, deadline, impl_->keep_alive),
                 [&out](const std::exception_ptr& error, FetchResult result) {
                   if (error) {
                     out = FetchError{FetchErrc::io_error, "internal error"};
                   } else {
                     out = std::move(result);
                   }
                 });
  // The coroutine enforces the deadline itself; this bound is a second line of defence.
  pooled->io.run_for(limits.timeout + std::chrono::seconds(1));
  if (!out) return FetchError{FetchErrc::timeout, "no complete answer before the deadline"};
  // Only a connection with nothing left to run goes back: its io_context is then idle too.
  if (impl_->keep_alive && pooled->io.stopped()) impl_->pool.give_back(std::move(pooled));
  return std::move(*out);
}

}  // namespace authgate::net
