// `authgate revoke (--jti ID | --user NAME) (--for DURATION | --until UNIX) [--config F | --admin
// HOST:PORT]`: puts a token id or a user on the deny-list through a running gateway's admin listener (POST
// /revocations). With a shared Redis state store, every instance refuses it within a second.
#include <openssl/crypto.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "command.hpp"
#include "config/load_yaml.hpp"
#include "config/secret_file.hpp"
#include "config/units.hpp"

namespace authgate::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

struct RevokeOptions {
  std::string jti, user, for_duration, config_path, admin, token_file;
  std::optional<std::int64_t> until;
};

/// Where the admin listener is and the token it wants: from --admin / --token-file, else from the config.
struct AdminTarget {
  std::string host = "127.0.0.1";
  std::string port = "9199";
  std::string token;
};

std::optional<AdminTarget> target_of(const RevokeOptions& o) {
  AdminTarget target;
  std::string token_file = o.token_file;
  if (!o.config_path.empty()) {
    auto loaded = config::load_yaml(o.config_path);
    if (!loaded) {
      for (const auto& problem : loaded.error()) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
      return std::nullopt;
    }
    if (!loaded->admin) {
      std::fprintf(stderr, "authgate revoke: %s has no admin listener\n", o.config_path.c_str());
      return std::nullopt;
    }
    target.host = loaded->admin->address == "localhost" ? "127.0.0.1" : loaded->admin->address;
    target.port = std::to_string(loaded->admin->port);
    if (token_file.empty()) token_file = loaded->admin->revoke_token_file;
  }
  if (!o.admin.empty()) {
    const auto colon = o.admin.rfind(':');
    if (colon == std::string::npos || colon + 1 == o.admin.size()) {
      std::fprintf(stderr, "authgate revoke: --admin wants HOST:PORT\n");
      return std::nullopt;
    }
    target.host = o.admin.substr(0, colon);
    if (target.host.size() > 2 && target.host.front() == '[')
      target.host = target.host.substr(1, target.host.size() - 2);
    target.port = o.admin.substr(colon + 1);
  }
  if (!token_file.empty()) {
    target.token = config::detail::read_secret_file(token_file);
    if (target.token.empty()) {
      std::fprintf(stderr, "authgate revoke: cannot read a token from %s\n", token_file.c_str());
      return std::nullopt;
    }
    // The token goes into a header line: a CR or LF in the file must not add fields to the request.
    if (config::detail::has_control_character(target.token)) {
      std::fprintf(stderr, "authgate revoke: %s holds a control character\n", token_file.c_str());
      return std::nullopt;
    }
  }
  return target;
}

std::string body_of(const RevokeOptions& o) {
  boost::json::object body;
  if (!o.jti.empty()) body["jti"] = o.jti;
  if (!o.user.empty()) body["user"] = o.user;
  if (o.until) body["until"] = *o.until;
  if (!o.for_duration.empty()) {
    const auto ttl = std::chrono::ceil<std::chrono::seconds>(*config::parse_duration(o.for_duration));
    body["ttl"] = ttl.count();
  }
  return boost::json::serialize(body);
}

int revoke(const RevokeOptions& options) {
  if (!options.for_duration.empty()) {
    auto parsed = config::parse_duration(options.for_duration);
    if (!parsed || *parsed <= config::Duration::zero()) {
      std::fprintf(stderr, "authgate revoke: --for: %s\n",
                   parsed ? "must be positive" : parsed.error().c_str());
      return 2;
    }
  }
  auto target = target_of(options);
  if (!target) return 2;
  asio::io_context io;
  beast::tcp_stream stream(io);
  stream.expires_after(
      std::chrono::seconds(10));  // connect, send and answer: the store answers in its timeout
  beast::error_code ec;
  asio::ip::tcp::resolver resolver(io);
  const auto endpoints = resolver.resolve(target->host, target->port, ec);
  if (!ec) stream.connect(endpoints, ec);
  if (ec) {
    std::fprintf(stderr, "authgate revoke: cannot reach the admin listener at %s:%s: %s\n",
                 target->host.c_str(), target->port.c_str(), ec.message().c_str());
    return 1;
  }
  http::request<http::string_body> request{http::verb::post, "/revocations", 11};
  request.set(http::field::host, target->host + ":" + target->port);
  request.set(http::field::content_type, "application/json");
  request.set(http::field::user_agent, "authgate-revoke");
  if (!target->token.empty()) request.set(http::field::authorization, "Bearer " + target->token);
  OPENSSL_cleanse(target->token.data(), target->token.size());
  request.body() = body_of(options);
  request.prepare_payload();
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) {
    std::fprintf(stderr, "authgate revoke: no answer from the admin listener: %s\n", ec.message().c_str());
    return 1;
  }
  std::fputs(response.body().c_str(), response.result() == http::status::ok ? stdout : stderr);
  return response.result() == http::status::ok ? 0 : 1;
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration revoke_command{
    60, [](CLI::App& app) {
      auto* sub = app.add_subcommand(
          "revoke",
          "Deny a token id (jti) or a user until a time, through a running gateway's admin listener");
      auto o = std::make_shared<RevokeOptions>();
      auto* what = sub->add_option_group("what")->require_option(1);
      what->add_option("--jti", o->jti, "The token's jti claim");
      what->add_option("--user", o->user, "A user name: every credential of it (Basic, Digest, Bearer sub)");
      auto* how_long = sub->add_option_group("how long")->require_option(1);
      how_long->add_option("--for", o->for_duration, "Duration, e.g. 15m, 24h (at most ten years)");
      how_long->add_option("--until", o->until, "Unix time (seconds) the deny ends, e.g. the token's exp");
      auto* where = sub->add_option_group("where")->require_option(0, 1);
      where->add_option("--config,-c", o->config_path,
                        "The gateway's config: its admin address and token file");
      where->add_option("--admin", o->admin, "The admin listener, HOST:PORT (default 127.0.0.1:9199)");
      sub->add_option("--token-file", o->token_file, "File holding admin.revoke_token_file's token");
      return Command{sub, [o] { return revoke(*o); }};
    }};

}  // namespace
}  // namespace authgate::app
