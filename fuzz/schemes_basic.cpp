// The Basic scheme on arbitrary token68 against a small in-memory store of cheap {SHA} hashes: never
// crashes or leaks; a successful decode round-trips (strict base64 is canonical) and splits at the first
// colon; every outcome is one the scheme documents.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <variant>

#include "authgate/grammar/base64.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/stores/htpasswd.hpp"

namespace {

void check(bool condition) {
  if (!condition) std::abort();
}

std::shared_ptr<const authgate::Scheme> make_scheme() {
  // {SHA} of "alice-pw" and "p:w", made by `htpasswd -s`; "weak" is plaintext.
  const auto store = authgate::stores::parse_htpasswd(
      "alice:{SHA}g2YDYHBhl9R/ddqtGep+ipAO4aU=\nbob:{SHA}DRIHHM4AV3Qz8RTwikQAPCo1Kw0=\nweak:weak-pw\n",
      "users", "staff: alice bob\n", "groups", 3);
  check(store.has_value());
  return authgate::schemes::make_basic_scheme({"fuzz", false, {}}, *store);
}

void check_decode(const authgate::grammar::Credentials& credentials) {
  authgate::schemes::BasicUserPass user_pass;
  if (authgate::schemes::decode_basic_credentials(credentials, user_pass) != authgate::Reason::ok) {
    check(user_pass.user().empty() && user_pass.password().empty());
    return;
  }
  check(user_pass.user().find(':') == std::string_view::npos);
  const std::string joined = std::string(user_pass.user()) + ":" + std::string(user_pass.password());
  check(authgate::grammar::encode_base64(joined) == *credentials.token68);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const auto scheme = make_scheme();
  const authgate::grammar::Credentials credentials{
      "Basic", std::string(reinterpret_cast<const char*>(data), size), {}};
  check_decode(credentials);
  (void)scheme->work(credentials);
  const auto outcome = scheme->authenticate(credentials, {});
  check(std::holds_alternative<authgate::Authenticated>(outcome) ||
        std::holds_alternative<authgate::Rejected>(outcome) ||
        std::holds_alternative<authgate::Malformed>(outcome));
  if (const auto* ok = std::get_if<authgate::Authenticated>(&outcome)) {
    check(ok->identity->user == "alice" || ok->identity->user == "bob");
    check(ok->identity->groups.size() == 1 && ok->identity->scheme == "Basic");
  }
  return 0;
}
