// Checks of `scheme: bearer` realms (key source, algorithms, token policy, remote URLs) and of the
// Bearer keys of a route's `auth` block. The keys themselves are loaded and checked against the
// algorithms by compile() (compile_bearer.cpp).
#include <set>

#include "authgate/jose/alg.hpp"
#include "config/checker.hpp"
#include "config/syntax.hpp"
#include "net/fetch_url.hpp"

namespace authgate::config::detail {
namespace {

struct Source {
  const char* key;
  bool present;
};

std::string supported_algorithms() {
  std::string out;
  for (const jose::Alg alg : jose::all_algs()) out += (out.empty() ? "" : ", ") + std::string(to_string(alg));
  return out;
}

bool is_hmac(jose::Alg alg) { return jose::alg_fits(alg, jose::KeyType::oct); }

// RFC 6750 §3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ) — what may appear inside scope="…".
bool is_scope_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x21 || (u >= 0x23 && u <= 0x5B) || (u >= 0x5D && u <= 0x7E);
  });
}

// A space-separated list of scope-tokens, single spaces (RFC 6749 §3.3).
bool is_scope_list(std::string_view s) {
  std::size_t start = 0;
  while (true) {
    const auto space = s.find(' ', start);
    if (!is_scope_token(s.substr(start, space - start))) return false;
    if (space == std::string_view::npos) return true;
    start = space + 1;
  }
}

// A key source's URL: https, or http to a loopback address (a local test or sidecar issuer); the keys
// decide who may mint tokens, so they must not come over a network anyone could tamper with.
// The fetch client's own parser decides, so a config that loads names only URLs the refresher and the
// introspection client will fetch (no realm left answering 503 over a URL refused at request time).
std::optional<std::string> remote_url_problem(const std::string& url) {
  const auto parsed = net::parse_fetch_url(url);
  if (!parsed) return parsed.error() + ", got " + in_quotes(url);
  return std::nullopt;
}

// Exactly one of the six key sources; returns the one in use (nullptr when none or several).
const char* check_key_source(Checker& check, const BearerRealm& b, const std::string& path) {
  const bool remote_jwks = b.remote && !b.remote->jwks_url.empty();
  const bool remote_oidc = b.remote && !b.remote->discovery_issuer.empty();
  const Source sources[] = {{"jwks_file", !b.jwks_file.empty()},
                            {"pem_file", !b.pem_file.empty()},
                            {"hmac_secret_file", !b.hmac_secret_file.empty()},
                            {"jwks", remote_jwks},
                            {"oidc", remote_oidc},
                            {"introspection", b.introspection.has_value()}};
  const char* first = nullptr;
  bool several = false;
  for (const Source& source : sources) {
    if (!source.present) continue;
    if (first != nullptr) {
      check.error(path + "." + source.key, "more than one key source ('" + std::string(first) + "' and '" +
                                               source.key + "'): a bearer realm has exactly one");
      several = true;
      continue;
    }
    first = source.key;
  }
  if (first == nullptr && !(b.remote.has_value())) {
    check.error(path,
                "a bearer realm needs exactly one key source: jwks_file, pem_file, hmac_secret_file, "
                "jwks, oidc or introspection");
  }
  return several ? nullptr : first;
}

void check_algorithms(Checker& check, const BearerRealm& b, const std::string& path,
                      const std::string& source) {
  const std::string at = path + ".algorithms";
  if (b.algorithms.empty()) {
    check.error(path,
                "needs 'algorithms': the JWS algorithms its tokens may use (e.g. [RS256]); the "
                "token's own 'alg' is never trusted alone (RFC 8725 §3.1)");
    return;
  }
  std::set<jose::Alg> seen;
  for (std::size_t i = 0; i < b.algorithms.size(); ++i) {
    const std::string& name = b.algorithms[i];
    const std::string item = at + "[" + std::to_string(i) + "]";
    if (to_lower(name) == "none") {
      check.error(item, "'none' is never accepted: an unsigned token proves nothing (RFC 8725 §3.2)");
      continue;
    }
    const auto alg = jose::parse_alg(name);
    if (!alg) {
      check.error(item,
                  "unknown algorithm " + in_quotes(name) + " (supported: " + supported_algorithms() + ")");
      continue;
    }
    if (!seen.insert(*alg).second) check.error(item, "algorithm " + in_quotes(name) + " is listed twice");
  }
  const bool hmac = std::any_of(seen.begin(), seen.end(), is_hmac);
  const bool asymmetric = std::any_of(seen.begin(), seen.end(), [](jose::Alg a) { return !is_hmac(a); });
  if (hmac && asymmetric) {
    // RFC 8725 §3.1: mixing lets a public key be tried as an HMAC secret (the RS256 → HS256 attack).
    check.error(at, "HMAC (HS*) and public-key algorithms are mixed; a realm accepts one kind");
  } else if (hmac && (source == "pem_file" || source == "jwks" || source == "oidc")) {
    check.error(at, "HS* algorithms need a shared secret ('hmac_secret_file'); '" + source +
                        "' provides public keys");
  } else if (asymmetric && source == "hmac_secret_file") {
    check.error(at, "an HMAC secret verifies only HS256, HS384 or HS512");
  }
}

void check_remote(Checker& check, const RemoteKeys& remote, const std::string& path) {
  const bool jwks = !remote.jwks_url.empty();
  const std::string at = path + (jwks ? ".jwks" : ".oidc");
  const std::string& url = jwks ? remote.jwks_url : remote.discovery_issuer;
  if (auto problem = remote_url_problem(url)) check.error(at + (jwks ? ".url" : ".issuer"), *problem);
  if (remote.min_refresh_interval > remote.refresh_interval) {
    check.error(at + ".min_refresh_interval", "must not be longer than refresh_interval");
  }
  if (!remote.ca_file.empty()) {
    if (auto problem = unreadable_file_problem(remote.ca_file)) check.error(at + ".ca_file", *problem);
  }
}

// RFC 7662 §2.1: the gateway authenticates to the introspection endpoint as an OAuth client.
void check_introspection(Checker& check, const BearerRealm& b, const std::string& path) {
  const Introspection& in = *b.introspection;
  const std::string at = path + ".introspection";
  if (auto problem = remote_url_problem(in.url)) check.error(at + ".url", *problem);
  if (in.client_id.empty()) check.error(at, "needs client_id and client_secret_file (RFC 7662 §2.1)");
  if (in.client_secret_file.empty()) {
    if (!in.client_id.empty()) check.error(at, "needs client_secret_file (RFC 7662 §2.1)");
  } else if (auto problem = unreadable_file_problem(in.client_secret_file)) {
    check.error(at + ".client_secret_file", *problem);
  }
  if (!in.ca_file.empty()) {
    if (auto problem = unreadable_file_problem(in.ca_file)) check.error(at + ".ca_file", *problem);
  }
  // Keys that only a JWT has would do nothing here: refused, not silently ignored.
  constexpr const char* opaque = "applies to JWT key sources; an introspected token is opaque";
  if (!b.algorithms.empty()) check.error(path + ".algorithms", opaque);
  if (!b.typ.empty()) check.error(path + ".typ", opaque);
  if (!b.required_claims.empty()) check.error(path + ".required_claims", opaque);
  if (!b.key_id.empty()) check.error(path + ".key_id", opaque);
  if (!b.require_exp) {
    check.error(path + ".require_exp",
                "applies to JWT key sources (an introspection answer's exp is optional, "
                "RFC 7662 §2.2)");
  }
  if (b.user_claim.empty()) check.error(path + ".user_claim", "must not be empty");
  // exp / nbf / iat of the answer are checked with the realm's leeway, as a JWT's claims are.
  if (b.leeway.count() % 1000 != 0) check.error(path + ".leeway", "must be whole seconds");
}

void check_files(Checker& check, const BearerRealm& b, const std::string& path) {
  const std::pair<const char*, const std::string*> files[] = {
      {"jwks_file", &b.jwks_file}, {"pem_file", &b.pem_file}, {"hmac_secret_file", &b.hmac_secret_file}};
  for (const auto& [key, file] : files) {
    if (file->empty()) continue;
    if (auto problem = unreadable_file_problem(*file)) check.error(path + "." + key, *problem);
  }
}

void check_claims_policy(Checker& check, const BearerRealm& b, const std::string& path) {
  if (b.leeway.count() % 1000 != 0) check.error(path + ".leeway", "must be whole seconds");
  if (b.user_claim.empty()) check.error(path + ".user_claim", "must not be empty");
  if (!b.typ.empty()) {
    const auto slash = b.typ.find('/');
    const bool ok = slash == std::string::npos
                        ? is_token(b.typ)
                        : is_token(b.typ.substr(0, slash)) && is_token(b.typ.substr(slash + 1));
    if (!ok) check.error(path + ".typ", "expected a media type such as at+jwt, got " + in_quotes(b.typ));
  }
  for (std::size_t i = 0; i < b.audiences.size(); ++i) {
    if (b.audiences[i].empty()) check.error(path + ".audiences[" + std::to_string(i) + "]", "empty audience");
  }
  for (std::size_t i = 0; i < b.required_claims.size(); ++i) {
    if (b.required_claims[i].empty())
      check.error(path + ".required_claims[" + std::to_string(i) + "]", "empty claim name");
  }
  if (!b.scope.empty() && !is_scope_list(b.scope)) {
    check.error(path + ".scope", "expected scope tokens separated by single spaces (RFC 6750 §3)");
  }
}

bool accepts_bearer(const Config& config, const Route& route) {
  return std::any_of(route.realms.begin(), route.realms.end(), [&](const std::string& name) {
    const Realm* realm = find_named(config.realms, name);
    return realm != nullptr && realm->scheme == "bearer";
  });
}

}  // namespace

void check_bearer_realm(Checker& check, const Realm& realm, const std::string& path) {
  const BearerRealm& b = realm.bearer;
  const char* source = check_key_source(check, b, path);
  const std::string source_name = source == nullptr ? "" : source;
  if (b.introspection) {
    check_introspection(check, b, path);
    return;
  }
  check_algorithms(check, b, path, source_name);
  if (!b.key_id.empty() && source_name != "pem_file" && source_name != "hmac_secret_file") {
    check.error(path + ".key_id",
                "applies to pem_file and hmac_secret_file only (a JWKS names its own kids)");
  }
  check_files(check, b, path);
  if (b.remote) check_remote(check, *b.remote, path);
  check_claims_policy(check, b, path);
}

void check_route_bearer(Checker& check, const Route& route, const std::string& auth) {
  const bool bearer = accepts_bearer(check.config(), route);
  const std::pair<const char*, bool> keys[] = {{"scopes", !route.scopes.empty()},
                                               {"claims", !route.claims.empty()},
                                               {"token_in_query", route.token_in_query},
                                               {"token_in_form", route.token_in_form}};
  for (const auto& [key, set] : keys) {
    if (set && !bearer) check.error(auth + "." + key, "needs a bearer realm in this route's 'realms'");
  }
  const bool basic = std::any_of(route.realms.begin(), route.realms.end(), [&](const std::string& name) {
    const Realm* realm = find_named(check.config().realms, name);
    return realm != nullptr && realm->scheme == "basic";
  });
  if (bearer && basic && (!route.scopes.empty() || !route.claims.empty())) {
    check.warning(auth + (route.scopes.empty() ? ".claims" : ".scopes"),
                  "Basic users have no scopes or claims: they always get 403 on this route");
  }
  for (std::size_t i = 0; i < route.scopes.size(); ++i) {
    if (!is_scope_token(route.scopes[i])) {
      check.error(
          auth + ".scopes[" + std::to_string(i) + "]",
          "expected one scope token (no spaces or quotes, RFC 6750 §3), got " + in_quotes(route.scopes[i]));
    }
  }
  for (const auto& [name, values] : route.claims) {
    const std::string at = (auth + ".claims.").append(name);
    if (name.empty()) check.error(auth + ".claims", "empty claim name");
    if (values.empty()) check.error(at, "lists no value");
  }
}

}  // namespace authgate::config::detail
