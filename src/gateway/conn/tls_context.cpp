#include "gateway/conn/tls_context.hpp"

#include <openssl/ssl.h>

namespace authgate::gateway {

namespace ssl = boost::asio::ssl;

boost::system::result<std::shared_ptr<ssl::context>, std::string> make_server_tls(
    const config::ServerTls& tls) {
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  // RFC 8996 deprecates TLS 1.0 and 1.1; RFC 9325 §3.1.1 recommends 1.2 at least.
  const int min_version = tls.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION;
  SSL_CTX_set_min_proto_version(context->native_handle(), min_version);
  context->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                       ssl::context::single_dh_use);
  SSL_CTX_set_options(context->native_handle(), SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An idle TLS connection then holds no ~34 KiB of record buffers (OpenSSL frees them between records).
  SSL_CTX_set_mode(context->native_handle(), SSL_MODE_RELEASE_BUFFERS);
  boost::system::error_code ec;
  context->use_certificate_chain_file(tls.cert_file, ec);
  if (ec) return std::string{"cannot load certificate chain " + tls.cert_file + ": " + ec.message()};
  context->use_private_key_file(tls.key_file, ssl::context::pem, ec);
  if (ec) return std::string{"cannot load private key " + tls.key_file + ": " + ec.message()};
  if (SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return std::string{"private key " + tls.key_file + " does not match certificate " + tls.cert_file};
  }
  return context;
}

}  // namespace authgate::gateway
