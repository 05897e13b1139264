// Credential extraction on arbitrary requests: up to three credentials field lines, a query and a form
// body, against routes with real Basic and Bearer schemes, under every combination of RFC 6750 token
// locations. Never crashes or leaks; a request presents at most one credentials (RFC 9110 §11.6.2, RFC
// 6750 §2): what is presented is one of the field lines or "Bearer <token68>" in the caller's storage,
// from a location the route allows; a refusal names no scheme or one of the route's. The query the
// upstream gets keeps no access_token.
//
// Input: byte 0 = field line count (bits 0-1), a query (bit 2), a form (bit 3), the route's schemes
// (bits 4-5: Basic+Bearer, Basic, Bearer, none); the rest, split at '\n', gives the field lines, then the
// query, then the form (the remainder, newlines and all).
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "authgate/jose/jwk.hpp"
#include "authgate/schemes/basic.hpp"
#include "authgate/schemes/bearer.hpp"
#include "authgate/schemes/extraction.hpp"
#include "authgate/stores/htpasswd.hpp"
#include "schemes/bearer/access_token.hpp"

namespace {

using namespace authgate;
using schemes::CredentialSource;

void check(bool condition) {
  if (!condition) std::abort();
}

struct Schemes {
  Schemes() {
    // {SHA} of "alice-pw", made by `htpasswd -s`.
    const auto store =
        stores::parse_htpasswd("alice:{SHA}g2YDYHBhl9R/ddqtGep+ipAO4aU=\n", "users", "", "groups", 1);
    check(store.has_value());
    basic = schemes::make_basic_scheme({"staff", false, {}}, *store);
    schemes::BearerOptions options;
    options.realm = "api";
    options.policy.jws.algorithms = {jose::Alg::hs256};
    const auto key = jose::key_from_secret("0123456789abcdef0123456789abcdef");
    check(key.has_value());
    auto keys = std::make_shared<jose::LiveKeySet>(
        std::make_shared<const jose::KeySet>(std::vector<std::shared_ptr<const jose::Key>>{*key}));
    bearer = schemes::make_bearer_scheme(options, keys);
  }
  // A route's schemes, by the input's bits 4-5.
  std::vector<const Scheme*> route(unsigned which) const {
    switch (which) {
      case 0:
        return {basic.get(), bearer.get()};
      case 1:
        return {basic.get()};
      case 2:
        return {bearer.get()};
      default:
        return {};
    }
  }
  std::shared_ptr<const Scheme> basic, bearer;
};

struct Request {
  std::vector<std::string_view> fields;
  std::optional<std::string_view> query, form;
};

Request split(std::uint8_t flags, std::string_view rest) {
  Request request;
  const auto next = [&rest]() {
    const auto end = rest.find('\n');
    const auto part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
    return part;
  };
  for (unsigned i = 0; i < (flags & 3u); ++i) request.fields.push_back(next());
  if ((flags & 4) != 0) request.query = next();
  if ((flags & 8) != 0) request.form = rest;
  return request;
}

// The access_token values a location offers under `where`: nullopt when one is broken, else the list.
std::optional<std::vector<std::string>> offered(bool allowed, const std::optional<std::string_view>& text) {
  if (!allowed || !text) return std::vector<std::string>{};
  return schemes::access_tokens_in(*text);
}

bool on_route(const std::vector<const Scheme*>& route, std::string_view name) {
  for (const auto* scheme : route) {
    if (scheme->name() == name) return true;
  }
  return false;
}

void check_malformed(const Malformed& refused, const std::vector<const Scheme*>& route) {
  check(refused.reason == Reason::duplicate_credentials || refused.reason == Reason::malformed_header);
  check(refused.scheme.empty() || on_route(route, refused.scheme));
  // RFC 6750 §3.1: Bearer's refusal is invalid_request; a plain 400 names no challenge parameter.
  if (refused.scheme == "Bearer") {
    check(refused.challenge_params.size() == 2 && refused.challenge_params[0].name == "error" &&
          refused.challenge_params[0].value == "invalid_request");
  } else {
    check(refused.challenge_params.empty());
  }
}

void check_presented(const schemes::Presented& presented, const Request& request,
                     const schemes::TokenLocations& where, const std::string& storage) {
  if (presented.from == CredentialSource::field) {
    // The one field line itself, not a copy.
    check(request.fields.size() == 1 && presented.field.data() == request.fields[0].data() &&
          presented.field.size() == request.fields[0].size());
    check(presented.scheme == schemes::scheme_of(presented.field));
    return;
  }
  check(request.fields.empty() && presented.scheme == "Bearer");
  check(presented.from == CredentialSource::query ? where.query : where.form);
  check(presented.field.data() == storage.data() && presented.field.size() == storage.size());
  check(presented.field.starts_with("Bearer ") && grammar::is_token68(presented.field.substr(7)));
}

bool one_token68(const std::vector<std::string>& query, const std::vector<std::string>& form) {
  return grammar::is_token68(query.empty() ? form.front() : query.front());
}

void extract(const std::vector<const Scheme*>& route, const schemes::TokenLocations& where,
             const Request& request) {
  std::string storage;
  const auto found =
      schemes::extract_credentials(route, where, {request.fields, request.query, request.form}, storage);
  // The model: every credentials the request offers where the route looks, one at most.
  const auto in_query = offered(where.query, request.query);
  const auto in_form = offered(where.form, request.form);
  const bool broken = !in_query || !in_form;
  const std::size_t count =
      request.fields.size() + (in_query ? in_query->size() : 0) + (in_form ? in_form->size() : 0);
  if (const auto* refused = std::get_if<Malformed>(&found)) {
    check_malformed(*refused, route);
    if (refused->reason == Reason::duplicate_credentials) check(count > 1);
    // A refusal with one credentials or none and no broken escape: the one token is no token68.
    if (!broken && count <= 1)
      check(count == 1 && request.fields.empty() && !one_token68(*in_query, *in_form));
  } else {
    check(!broken && count <= 1);
    if (const auto* presented = std::get_if<schemes::Presented>(&found)) {
      check(count == 1);
      check_presented(*presented, request, where, storage);
    } else {
      check(count == 0);
    }
  }
  if (broken || count > 1) check(std::holds_alternative<Malformed>(found));
}

// The query forwarded upstream: no access_token parameter left, the rest untouched on a second pass.
void check_forwarded_query(std::string_view query) {
  const auto forwarded = schemes::without_access_token(query);
  const auto tokens = schemes::access_tokens_in(forwarded);
  check(tokens.has_value() && tokens->empty());
  check(schemes::without_access_token(forwarded) == forwarded);
  check(forwarded.size() <= query.size());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Schemes schemes;
  if (size == 0) return 0;
  const Request request = split(data[0], {reinterpret_cast<const char*>(data) + 1, size - 1});
  const auto route = schemes.route((data[0] >> 4) & 3u);
  for (const bool query : {false, true}) {
    for (const bool form : {false, true}) extract(route, {query, form}, request);
  }
  if (request.query) check_forwarded_query(*request.query);
  return 0;
}
