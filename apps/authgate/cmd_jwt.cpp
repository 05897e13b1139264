// `authgate jwt decode TOKEN`: print header and payload, clearly NOT verified.
// `authgate jwt verify TOKEN --jwks F|URL | --pem F | --hmac-secret-file F [...]`: verify through the Bearer
// scheme exactly as the gateway does and print the identity or why the token fails.
// Exit status: 0 valid / decoded, 1 invalid / undecodable, 2 wrong use or unusable keys.
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authgate/jose/jws.hpp"
#include "authgate/jose/verify.hpp"
#include "authgate/schemes/bearer.hpp"
#include "command.hpp"
#include "net/http_fetch.hpp"

namespace authgate::app {
namespace {

namespace json = boost::json;

constexpr int exit_ok = 0;
constexpr int exit_invalid = 1;
constexpr int exit_usage = 2;

struct JwtOptions {
  std::string token;
  std::string jwks_file, pem_file, secret_file, kid;
  std::string ca_file;  // --jwks URL: trust anchors (default: the system store)
  std::vector<std::string> algs, audiences, required_claims;
  std::string issuer, typ, user_claim = "sub", groups_claim;
  long leeway = 60;
  std::optional<long> now;
};

std::string_view strip_bearer(std::string_view token) {
  if (token.size() > 7 && grammar::iequals(token.substr(0, 7), "Bearer ")) token.remove_prefix(7);
  return token;
}

void print_json(std::ostream& out, const json::value& v, int indent = 0) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  if (v.is_object() && !v.get_object().empty()) {
    out << "{\n";
    bool first = true;
    for (const auto& member : v.get_object()) {
      out << (first ? "" : ",\n") << pad << "  " << json::serialize(json::string(member.key())) << ": ";
      print_json(out, member.value(), indent + 1);
      first = false;
    }
    out << "\n" << pad << "}";
    return;
  }
  out << json::serialize(v);
}

std::string utc(double seconds) {
  const auto t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

void print_part(const char* title, const std::string& text) {
  std::cout << title << ":\n";
  json::error_code ec;
  const json::value value = json::parse(text, ec);
  if (ec) {
    std::cout << "  (not JSON, " << text.size() << " bytes)\n";
    return;
  }
  print_json(std::cout, value);
  std::cout << "\n";
  if (!value.is_object()) return;
  for (const char* claim : {"iat", "nbf", "exp"}) {
    const json::value* date = value.get_object().if_contains(claim);
    if (date && date->is_number())
      std::cout << "  " << claim << " = " << utc(date->to_number<double>()) << "\n";
  }
}

int run_decode(const JwtOptions& o) {
  const auto decoded = jose::decode_unverified(strip_bearer(o.token), 1 << 20);
  if (!decoded) {
    std::cerr << "authgate: not a compact JWS: " << jose::describe(decoded.error()) << "\n";
    return exit_invalid;
  }
  std::cout << "NOT VERIFIED: decoded only; signature, keys and claims were not checked.\n";
  print_part("header", decoded->header);
  print_part("payload", decoded->payload);
  return exit_ok;
}

bool is_url(const std::string& s) { return s.starts_with("https://") || s.starts_with("http://"); }

// --jwks URL: fetched with the gateway's own client (verified TLS, no redirects, 1 MiB, 10 s).
jose::JwksResult fetch_jwks(const JwtOptions& o) {
  const auto client = net::HttpClient::create(o.ca_file);
  if (!client) return jose::KeyError{jose::KeyErrc::unparseable, client.error().message()};
  const auto response =
      (*client)->fetch({o.jwks_file, false, {}, {}}, {std::chrono::seconds(10), std::size_t{1} << 20});
  if (!response) return jose::KeyError{jose::KeyErrc::unparseable, response.error().message()};
  if (response->status != 200) {
    return jose::KeyError{jose::KeyErrc::unparseable, "HTTP " + std::to_string(response->status)};
  }
  return jose::parse_jwks(response->body);
}

std::optional<jose::JwksLoad> load_keys(const JwtOptions& o) {
  if (!o.jwks_file.empty()) {
    auto load = is_url(o.jwks_file) ? fetch_jwks(o) : jose::load_jwks_file(o.jwks_file);
    if (!load) {
      std::cerr << "authgate: " << o.jwks_file << ": " << load.error().message() << "\n";
      return std::nullopt;
    }
    for (const auto& skipped : load->skipped) {
      std::cerr << "authgate: key #" << skipped.index
                << (skipped.kid.empty() ? "" : " (kid " + skipped.kid + ")")
                << " skipped: " << skipped.error.message() << "\n";
    }
    return std::move(*load);
  }
  const bool pem = !o.pem_file.empty();
  auto key = pem ? jose::load_pem_file(o.pem_file, o.kid) : jose::load_secret_file(o.secret_file, o.kid);
  if (!key) {
    std::cerr << "authgate: " << (pem ? o.pem_file : o.secret_file) << ": " << key.error().message() << "\n";
    return std::nullopt;
  }
  return jose::JwksLoad{std::make_shared<const jose::KeySet>(std::vector{*key}), {}};
}

// --alg values, or every algorithm some loaded key can verify.
std::optional<std::vector<jose::Alg>> algorithms(const JwtOptions& o, const jose::KeySet& keys) {
  std::vector<jose::Alg> algs;
  for (const auto& name : o.algs) {
    const auto alg = jose::parse_alg(name);
    if (!alg) {
      std::cerr << "authgate: unknown algorithm '" << name << "'\n";
      return std::nullopt;
    }
    algs.push_back(*alg);
  }
  if (!algs.empty()) return algs;
  for (const jose::Alg alg : jose::all_algs()) {
    for (const auto& key : keys.keys()) {
      if (key->usable_for(alg)) {
        algs.push_back(alg);
        break;
      }
    }
  }
  return algs;
}

schemes::BearerOptions bearer_options(const JwtOptions& o, std::vector<jose::Alg> algs) {
  schemes::BearerOptions options;
  options.realm = "authgate jwt verify";
  options.policy.jws.algorithms = std::move(algs);
  if (!o.typ.empty()) options.policy.jws.typ = o.typ;
  options.policy.claims.issuer = o.issuer;
  options.policy.claims.audiences = o.audiences;
  options.policy.claims.leeway = std::chrono::seconds(o.leeway);
  options.policy.claims.required_claims = o.required_claims;
  options.policy.claims.user_claim = o.user_claim;
  options.policy.claims.groups_claim = o.groups_claim;
  return options;
}

class FixedClock final : public Clock {
 public:
  explicit FixedClock(long seconds) : now_(std::chrono::seconds(seconds)) {}
  std::chrono::system_clock::time_point now() const noexcept override { return now_; }

 private:
  std::chrono::system_clock::time_point now_;
};

void print_identity(const Authenticated& ok) {
  std::cout << "VALID\nuser: " << ok.identity->user << "\n";
  const auto list = [](const char* title, const std::vector<std::string>& values) {
    std::cout << title << ":";
    for (const auto& v : values) std::cout << " " << v;
    std::cout << "\n";
  };
  list("groups", ok.identity->groups);
  list("scopes", ok.identity->scopes);
  if (ok.not_after) {
    std::cout << "expires: " << utc(static_cast<double>(std::chrono::system_clock::to_time_t(*ok.not_after)))
              << "\n";
  }
}

int report(const Outcome& outcome) {
  if (const auto* ok = std::get_if<Authenticated>(&outcome)) {
    print_identity(*ok);
    return exit_ok;
  }
  const auto explain = [](Reason reason, const std::vector<grammar::AuthParam>& params) {
    const std::string* description = grammar::find_param(params, "error_description");
    std::cout << "INVALID: " << to_string(reason) << (description ? " — " + *description : "") << "\n";
  };
  if (const auto* rejected = std::get_if<Rejected>(&outcome))
    explain(rejected->reason, rejected->challenge_params);
  if (const auto* malformed = std::get_if<Malformed>(&outcome))
    explain(malformed->reason, malformed->challenge_params);
  if (const auto* unavailable = std::get_if<Unavailable>(&outcome)) explain(unavailable->reason, {});
  return exit_invalid;
}

int run_verify(const JwtOptions& o) {
  if (!o.jwks_file.empty() + !o.pem_file.empty() + !o.secret_file.empty() != 1) {
    std::cerr << "authgate: give exactly one of --jwks, --pem, --hmac-secret-file\n";
    return exit_usage;
  }
  const auto load = load_keys(o);
  if (!load) return exit_usage;
  const auto algs = algorithms(o, *load->keys);
  if (!algs) return exit_usage;
  auto options = bearer_options(o, *algs);
  for (const auto& problem : jose::check_policy(options.policy, *load->keys))
    std::cerr << "authgate: warning: " << problem << "\n";
  std::shared_ptr<const Clock> clock =
      o.now ? std::shared_ptr<const Clock>(std::make_shared<FixedClock>(*o.now))
            : std::make_shared<SystemClock>();
  const auto scheme =
      schemes::make_bearer_scheme(std::move(options), std::make_shared<jose::LiveKeySet>(load->keys), clock);
  const grammar::Credentials credentials{"Bearer", std::string(strip_bearer(o.token)), {}};
  const Outcome outcome = scheme->authenticate(credentials, RequestFacts{});
  const auto* rejected = std::get_if<Rejected>(&outcome);
  if (rejected && rejected->reason == Reason::bad_audience && o.audiences.empty()) {
    std::cerr << "authgate: note: a token with an \"aud\" claim needs --aud (RFC 7519 §4.1.3)\n";
  }
  return report(outcome);
}

void add_verify_options(CLI::App& verify, JwtOptions& o) {
  verify.add_option("token", o.token, "The compact JWS (a leading \"Bearer \" is ignored)")->required();
  // Exactly one key source; checked in run_verify so a mistake exits 2 like every usage error here.
  verify.add_option("--jwks", o.jwks_file, "JWK Set file, or its https:// URL (http:// only to loopback)");
  verify.add_option("--ca-file", o.ca_file, "CA file for an https --jwks URL (default: the system store)");
  verify.add_option("--pem", o.pem_file, "PEM public key file");
  verify.add_option("--hmac-secret-file", o.secret_file, "HMAC secret file (raw bytes)");
  verify.add_option("--kid", o.kid,
                    "kid of the --pem or --hmac-secret-file key (default: none, matches any)");
  verify.add_option("--alg", o.algs,
                    "Accepted algorithm, repeatable (default: every one the keys can verify)");
  verify.add_option("--iss", o.issuer, "Required issuer");
  verify.add_option("--aud", o.audiences, "Accepted audience, repeatable");
  verify.add_option("--leeway", o.leeway, "Clock-skew leeway in seconds")->check(CLI::Range(0, 3600));
  verify.add_option("--typ", o.typ, "Required typ, e.g. at+jwt (RFC 9068)");
  verify.add_option("--require-claim", o.required_claims, "Claim that must be present, repeatable");
  verify.add_option("--user-claim", o.user_claim, "Claim naming the user");
  verify.add_option("--groups-claim", o.groups_claim, "Claim listing the groups");
  verify.add_option("--now", o.now, "Verify as of this Unix time instead of the system clock");
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration jwt_command{
    300, [](CLI::App& app) {
      auto o = std::make_shared<JwtOptions>();
      auto* jwt = app.add_subcommand("jwt", "Decode or verify JSON Web Tokens (Bearer tokens)");
      jwt->require_subcommand(1);
      auto* decode = jwt->add_subcommand("decode", "Print a token's header and payload WITHOUT verifying it");
      decode->add_option("token", o->token, "The compact JWS")->required();
      auto* verify =
          jwt->add_subcommand("verify", "Verify a token exactly as the gateway's Bearer scheme does");
      add_verify_options(*verify, *o);
      return Command{jwt, [o, decode] { return decode->parsed() ? run_decode(*o) : run_verify(*o); }};
    }};

}  // namespace
}  // namespace authgate::app
