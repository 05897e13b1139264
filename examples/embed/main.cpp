// Embedding authgate: a program built against the installed library (find_package(authgate) or
// pkg-config, docs/install.md). It parses a WWW-Authenticate field, verifies Basic credentials against an
// htpasswd file and a JWT (RS256) against a PEM public key, and asks the policy what each outcome means
// for a route. Every line says what was found; the program exits 0 when all of it is what the EXAMPLE
// DATA in data/ promises (data/README.md), 1 otherwise.
//
//   embed_example [DATA_DIR]        DATA_DIR defaults to the data/ folder beside this file

#include <authgate/grammar/base64.hpp>
#include <authgate/grammar/parse.hpp>
#include <authgate/grammar/serialize.hpp>
#include <authgate/jose/jwks.hpp>
#include <authgate/policy/challenges.hpp>
#include <authgate/policy/decision.hpp>
#include <authgate/schemes/basic.hpp>
#include <authgate/schemes/bearer.hpp>
#include <authgate/stores/htpasswd.hpp>
#include <authgate/version.hpp>
#include <chrono>
#include <fstream>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#ifndef EMBED_DATA_DIR
#define EMBED_DATA_DIR "data"
#endif

namespace {

using namespace authgate;

/// Prints one finding and counts those that differ from what the example data promises.
class Report {
 public:
  void line(std::string_view what, const std::string& found, std::string_view expected) {
    const bool ok = found == expected;
    std::cout << (ok ? "ok    " : "FAIL  ") << what << ": " << found;
    if (!ok) std::cout << "   (expected: " << expected << ")";
    std::cout << '\n';
    checks_ += 1;
    failures_ += ok ? 0 : 1;
  }
  int checks() const { return checks_; }
  int failures() const { return failures_; }

 private:
  int checks_ = 0;
  int failures_ = 0;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

std::string name(Reason reason) { return std::string(to_string(reason)); }

/// "Authenticated alice groups=staff", "Rejected wrong_password", "Malformed bad_base64", …
std::string describe(const Outcome& outcome) {
  if (const auto* a = std::get_if<Authenticated>(&outcome)) {
    return "Authenticated " + a->identity->user + " groups=" + joined(a->identity->groups);
  }
  if (const auto* r = std::get_if<Rejected>(&outcome)) return "Rejected " + name(r->reason);
  if (const auto* m = std::get_if<Malformed>(&outcome)) return "Malformed " + name(m->reason);
  if (const auto* u = std::get_if<Unavailable>(&outcome)) return "Unavailable " + name(u->reason);
  return std::holds_alternative<NoCredentials>(outcome) ? "NoCredentials" : "Throttled";
}

std::string describe(const policy::Decision& decision) {
  return std::to_string(decision.status) + " " + name(decision.reason);
}

/// The example of RFC 9110 §11.6.1: two challenges in one field, a quoted-string with escaped quotes.
void parse_a_challenge(Report& report) {
  const std::string_view field =
      R"(Basic realm="simple", Newauth realm="apps", type=1, title="Login to \"apps\"")";
  const auto challenges = grammar::parse_challenges(field);
  if (!challenges) {
    report.line("parse WWW-Authenticate", challenges.error().message(), "two challenges");
    return;
  }
  std::string found;
  for (const auto& challenge : *challenges) {
    found += (found.empty() ? "" : " | ") + challenge.scheme;
    for (const auto& param : challenge.params) found += " " + param.name + "=" + param.value;
  }
  report.line("parse WWW-Authenticate", found,
              R"(Basic realm=simple | Newauth realm=apps type=1 title=Login to "apps")");
}

std::shared_ptr<const Scheme> basic_scheme(const std::string& dir) {
  auto store = stores::load_htpasswd(dir + "/users.htpasswd", dir + "/users.groups", 1);
  if (!store) throw std::runtime_error(store.error().to_string());
  schemes::BasicOptions options;
  options.realm = "Example area";
  return schemes::make_basic_scheme(std::move(options), *store);
}

/// Tokens of https://issuer.example for the audience example-api, signed RS256 with the key in the PEM file.
std::shared_ptr<const Scheme> bearer_scheme(const std::string& dir) {
  auto key = jose::load_pem_file(dir + "/issuer-public.pem", "example-rs256", jose::Alg::rs256);
  if (!key) throw std::runtime_error(key.error().message());
  auto keys = std::make_shared<const jose::LiveKeySet>(
      std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key}));
  schemes::BearerOptions options;
  options.realm = "Example API";
  options.policy.jws.algorithms = {jose::Alg::rs256};
  options.policy.claims.issuer = "https://issuer.example";
  options.policy.claims.audiences = {"example-api"};
  options.policy.claims.groups_claim = "groups";
  return schemes::make_bearer_scheme(std::move(options), std::move(keys));
}

/// What a scheme concludes from one Authorization field value. Called inline here; a server asks
/// Scheme::work() first and runs Work::hashing (a bcrypt here) off its I/O threads.
Outcome judge(const Scheme& scheme, const std::string& authorization) {
  const auto credentials = grammar::parse_credentials(authorization);
  if (!credentials) return scheme.malformed(Reason::malformed_header);
  RequestFacts request;
  request.method = "GET";
  request.target = "/";
  request.now = std::chrono::system_clock::now();
  return scheme.authenticate(*credentials, request);
}

std::string read_token(const std::string& path) {
  std::ifstream in(path);
  std::string token;
  if (!std::getline(in, token)) throw std::runtime_error("cannot read " + path);
  return token;
}

/// Basic against data/users.htpasswd: the two users log in with their passwords, a wrong one does not.
struct BasicOutcomes {
  Outcome alice;
  Outcome bob;
};
BasicOutcomes check_basic(const Scheme& basic, Report& report) {
  BasicOutcomes found{judge(basic, "Basic " + grammar::encode_base64("alice:example-only")),
                      judge(basic, "Basic " + grammar::encode_base64("bob:example-only-2"))};
  report.line("Basic alice", describe(found.alice), "Authenticated alice groups=staff");
  report.line("Basic bob", describe(found.bob), "Authenticated bob groups=admins,staff");
  const auto wrong = judge(basic, "Basic " + grammar::encode_base64("alice:x"));
  report.line("Basic alice, wrong password", describe(wrong), "Rejected wrong_password");
  return found;
}

/// data/token.jwt verifies against data/issuer-public.pem; with one bit of its signature changed, not.
Outcome check_bearer(const std::string& dir, Report& report) {
  const auto bearer = bearer_scheme(dir);
  std::string token = read_token(dir + "/token.jwt");
  auto found = judge(*bearer, "Bearer " + token);
  report.line("JWT (RS256)", describe(found), "Authenticated alice groups=staff");
  char& altered = token[token.size() - 8];
  altered = altered == 'A' ? 'B' : 'A';
  report.line("JWT, signature altered", describe(judge(*bearer, "Bearer " + token)),
              "Rejected bad_signature");
  return found;
}

/// Two routes: /admin for the group admins (Basic), /reports for tokens granting scope reports.read.
void check_decisions(const Scheme& basic, const BasicOutcomes& users, const Outcome& jwt, Report& report) {
  policy::Requirement admin;
  admin.realms = {"staff"};
  admin.groups = {"admins"};
  policy::Requirement reports;
  reports.realms = {"api"};
  reports.scopes = {"reports.read"};
  using policy::decide;
  using policy::Side;
  report.line("decide /admin for bob", describe(decide(admin, users.bob, Side::origin)), "200 ok");
  report.line("decide /admin for alice", describe(decide(admin, users.alice, Side::origin)),
              "403 user_not_allowed");
  report.line("decide /reports for the JWT", describe(decide(reports, jwt, Side::origin)), "200 ok");

  // No credentials: 401, and the challenges the route's schemes give, rendered as the gateway does.
  const auto refused = decide(admin, NoCredentials{}, Side::origin);
  const Scheme* route_schemes[] = {&basic};
  const auto challenges =
      policy::collect_challenges(refused, route_schemes, {std::chrono::system_clock::now()});
  report.line("decide /admin without credentials",
              describe(refused) + ", WWW-Authenticate: " + grammar::to_field(challenges),
              R"(401 no_credentials, WWW-Authenticate: Basic realm="Example area", charset="UTF-8")");
}

int run(const std::string& dir, Report& report) {
  parse_a_challenge(report);
  const auto basic = basic_scheme(dir);
  const auto users = check_basic(*basic, report);
  const auto jwt = check_bearer(dir, report);
  check_decisions(*basic, users, jwt, report);
  return report.failures() == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string dir = argc > 1 ? argv[1] : EMBED_DATA_DIR;
  Report report;
  try {
    const int status = run(dir, report);
    std::cout << "authgate " << authgate::version << " embedded: " << report.checks() - report.failures()
              << " of " << report.checks() << " as expected\n";
    return status;
  } catch (const std::exception& e) {
    std::cerr << "embed_example: " << e.what() << '\n';
    return 1;
  }
}
