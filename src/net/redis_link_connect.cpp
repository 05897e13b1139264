// The Redis link's way in: the TLS context, resolve, connect, the TLS handshake, the Redis handshake
// (AUTH, SELECT, PING), and reconnecting with capped exponential backoff after a failure.
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <random>
#include <stdexcept>

#include "net/redis_link.hpp"

namespace authgate::net::detail {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

std::string ms(std::chrono::milliseconds d) { return std::to_string(d.count()) + " ms"; }

std::runtime_error tls_setup_error(const char* setting, const std::string& file,
                                   const boost::system::error_code& ec) {
  return std::runtime_error("redis tls: cannot use " + std::string(setting) + " " + file + ": " +
                            ec.message());
}

/// An encrypted key would make OpenSSL ask for its passphrase on the terminal: refuse it instead.
int no_passphrase(char* /*buffer*/, int /*size*/, int /*writing*/, void* /*user*/) { return 0; }

void load_client_certificate(ssl::context& context, const RedisTls& tls) {
  if (tls.cert_file.empty() && tls.key_file.empty()) return;
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    throw std::runtime_error("redis tls: cert_file and key_file go together (mutual TLS needs both)");
  }
  boost::system::error_code ec;
  context.use_certificate_chain_file(tls.cert_file, ec);
  if (ec) throw tls_setup_error("cert_file", tls.cert_file, ec);
  context.use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) throw tls_setup_error("key_file", tls.key_file, ec);
  if (SSL_CTX_check_private_key(context.native_handle()) != 1) {
    throw std::runtime_error("redis tls: key_file " + tls.key_file + " does not match cert_file " +
                             tls.cert_file);
  }
}

/// The name the server's certificate must hold (RFC 6125 §6): without this check any certificate the CA
/// ever issued would do, and whoever holds one could pose as Redis — read AUTH's password, lift bans,
/// accept replayed Digest nonce counts. An IP literal is matched against the certificate's IP addresses;
/// a DNS name also goes out as SNI (RFC 6066 §3 carries DNS names only).
bool expect_name(SSL* ssl, const std::string& name) {
  boost::system::error_code not_ip;
  (void)asio::ip::make_address(name, not_ip);
  if (!not_ip) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), name.c_str()) == 1;
  SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  return SSL_set_tlsext_host_name(ssl, name.c_str()) == 1 && SSL_set1_host(ssl, name.c_str()) == 1;
}

/// Why a handshake failed, for /readyz and the log: the certificate's fault when it did not verify.
std::string tls_failure(RedisTransport::TlsStream& stream, const boost::system::error_code& ec) {
  const long verdict = SSL_get_verify_result(stream.native_handle());
  if (verdict != X509_V_OK) {
    return std::string("the server's certificate was not accepted: ") +
           X509_verify_cert_error_string(verdict);
  }
  return ec.message();
}

}  // namespace

std::shared_ptr<ssl::context> RedisLink::make_tls_context(const RedisEndpoint& endpoint) {
  const RedisTls& tls = endpoint.tls;
  if (!tls.enabled) return nullptr;
  if (!endpoint.unix_path.empty()) {
    throw std::runtime_error("redis tls: TLS needs a TCP url (rediss://host:port), not a unix socket");
  }
  auto context = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = context->native_handle();
  // RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 §3.1.1 recommends 1.2 at least.
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_default_passwd_cb(native, &no_passphrase);
  boost::system::error_code ec;
  if (tls.ca_file.empty()) {
    context->set_default_verify_paths(ec);
  } else {
    context->load_verify_file(tls.ca_file, ec);
  }
  if (ec) throw tls_setup_error("ca_file", tls.ca_file.empty() ? "(system trust store)" : tls.ca_file, ec);
  load_client_certificate(*context, tls);
  // Always verified: there is no setting to turn it off (see expect_name for what is at stake).
  context->set_verify_mode(ssl::verify_peer);
  return context;
}

void RedisLink::connect() {
  if (stopped_) return;
  const std::uint64_t generation = ++generation_;
  state_ = RedisState::connecting;
  set_status(state_, nullptr);
  transport_ = std::make_shared<RedisTransport>(strand_, tls_);
  // One bound for resolve, connect and the TLS handshake.
  retry_timer_.expires_after(options_.connect_timeout);
  retry_timer_.async_wait(
      asio::bind_executor(strand_, [self = shared_from_this(), generation](boost::system::error_code ec) {
        if (ec || generation != self->generation_ || self->open_) return;
        const char* what = self->tls_handshaking_ ? "TLS handshake" : "connect";
        self->fail(std::string(what) + " timed out after " + ms(self->options_.connect_timeout));
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
      transport_->socket(), endpoints,
      [self = shared_from_this(), generation](const boost::system::error_code&, const auto&) {
        return generation == self->generation_;
      },
      asio::bind_executor(
          strand_, [self = shared_from_this(), generation, transport = transport_](
                       boost::system::error_code ec, const auto&) { self->on_connected(generation, ec); }));
}

void RedisLink::on_connected(std::uint64_t generation, boost::system::error_code ec) {
  if (generation != generation_) return;
  if (ec) return fail("cannot connect to redis: " + ec.message());
  if (options_.endpoint.unix_path.empty()) {
    boost::system::error_code ignored;
    transport_->socket().set_option(asio::ip::tcp::no_delay(true), ignored);
  }
  if (transport_->tls() != nullptr) return tls_handshake(generation);
  opened();
}

void RedisLink::tls_handshake(std::uint64_t generation) {
  tls_handshaking_ = true;
  RedisTransport::TlsStream& stream = *transport_->tls();
  const RedisTls& tls = options_.endpoint.tls;
  const std::string& name = tls.server_name.empty() ? options_.endpoint.host : tls.server_name;
  if (!expect_name(stream.native_handle(), name)) return fail("cannot check the TLS server name " + name);
  stream.async_handshake(ssl::stream_base::client,
                         asio::bind_executor(strand_, [self = shared_from_this(), generation,
                                                       transport = transport_](boost::system::error_code ec) {
                           self->on_tls_handshake(generation, ec);
                         }));
}

void RedisLink::on_tls_handshake(std::uint64_t generation, boost::system::error_code ec) {
  if (generation != generation_) return;
  tls_handshaking_ = false;
  if (ec) return fail("TLS handshake with redis failed: " + tls_failure(*transport_->tls(), ec));
  opened();
}

void RedisLink::opened() {
  open_ = true;
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
