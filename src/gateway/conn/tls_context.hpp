#pragma once
// The server side of TLS listeners: one OpenSSL context per listener, built from the configured
// certificate chain and key files (again on every reload, so renewed certificates are picked up).

#include <memory>
#include <string>

#include <boost/asio/ssl/context.hpp>
#include <boost/system/result.hpp>

#include "config/model.hpp"

namespace authgate::gateway {

/// A TLS server context: TLS 1.2 or 1.3 minimum (`min_version`), the PEM chain (leaf first) and the
/// matching private key, no compression, no renegotiation. Error: one sentence naming the file.
boost::system::result<std::shared_ptr<boost::asio::ssl::context>, std::string> make_server_tls(
    const config::ServerTls& tls);

}  // namespace authgate::gateway
