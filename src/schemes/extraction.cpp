// Which one set of credentials a request presents (see authgate/schemes/extraction.hpp).
#include "authgate/schemes/extraction.hpp"

#include <algorithm>

#include "authgate/grammar/parse.hpp"
#include "schemes/bearer/access_token.hpp"
#include "schemes/bearer/bearer_syntax.hpp"

namespace authgate::schemes {
namespace {

constexpr std::string_view bearer = detail::bearer_scheme_name;

const Scheme* find_scheme(std::span<const Scheme* const> schemes, std::string_view name) {
  const auto found = std::find_if(schemes.begin(), schemes.end(), [&](const Scheme* scheme) {
    return grammar::iequals(scheme->name(), name);
  });
  return found == schemes.end() ? nullptr : *found;
}

// A token location is Bearer's own: its errors are Bearer's invalid_request with this description.
Malformed token_problem(std::span<const Scheme* const> schemes, Reason reason, std::string description) {
  if (find_scheme(schemes, bearer) == nullptr) return Malformed{reason, {}, {}};
  return detail::invalid_request(reason, std::move(description));
}

// The one token of `text` (a query or a form), nothing when it has none, or why it is refused.
// `other`: the request already presents credentials elsewhere.
std::variant<std::monostate, std::string, Malformed> token_in(std::span<const Scheme* const> schemes,
                                                              std::string_view text, bool other) {
  auto tokens = access_tokens_in(text);
  if (!tokens)
    return token_problem(schemes, Reason::malformed_header, "The access_token parameter is malformed");
  if (tokens->empty()) return std::monostate{};
  if (tokens->size() > 1 || other) {
    return token_problem(schemes, Reason::duplicate_credentials, "The request carries more than one token");
  }
  if (!grammar::is_token68(tokens->front())) {
    return token_problem(schemes, Reason::malformed_header, "The access_token parameter is malformed");
  }
  return std::move(tokens->front());
}

}  // namespace

Malformed malformed_credentials(std::span<const Scheme* const> schemes, std::string_view scheme_name,
                                Reason reason) {
  if (const auto* scheme = find_scheme(schemes, scheme_name)) return scheme->malformed(reason);
  return Malformed{reason, {}, {}};
}

Extraction extract_credentials(std::span<const Scheme* const> schemes, const TokenLocations& where,
                               const CredentialSources& sources, std::string& storage) {
  // Why refuse two fields: they may be two users, and an intermediary could pick another one than we
  // did (RFC 9110 §11.6.2 defines one credentials per request). Blamed on Bearer when any names it.
  if (sources.fields.size() > 1) {
    const bool bearer_named =
        std::any_of(sources.fields.begin(), sources.fields.end(),
                    [](std::string_view f) { return grammar::iequals(scheme_of(f), bearer); });
    return malformed_credentials(schemes, bearer_named ? bearer : std::string_view{},
                                 Reason::duplicate_credentials);
  }
  Extraction found = NoCredentials{};
  if (!sources.fields.empty()) {
    const auto field = sources.fields.front();
    found = Presented{field, scheme_of(field), CredentialSource::field};
  }
  // RFC 6750 §2.3 then §2.2: a token in the query or the form is a second method next to anything else.
  const std::pair<bool, const std::optional<std::string_view>*> locations[] = {{where.query, &sources.query},
                                                                               {where.form, &sources.form}};
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& [allowed, text] = locations[i];
    if (!allowed || !text->has_value()) continue;
    auto token = token_in(schemes, **text, !std::holds_alternative<NoCredentials>(found));
    if (auto* problem = std::get_if<Malformed>(&token)) return std::move(*problem);
    auto* value = std::get_if<std::string>(&token);
    if (value == nullptr) continue;
    storage = "Bearer " + *value;
    found = Presented{storage, bearer, i == 0 ? CredentialSource::query : CredentialSource::form};
  }
  return found;
}

}  // namespace authgate::schemes
