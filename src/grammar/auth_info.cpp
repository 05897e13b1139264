// Authentication-Info / Proxy-Authentication-Info: `#auth-param` (RFC 9110 §11.6.3, §11.7.3).
#include "authgate/grammar/parse.hpp"
#include "grammar/element.hpp"

namespace authgate::grammar {

ParseResult<std::vector<AuthParam>> parse_auth_info(std::string_view field, const Limits& limits) {
  if (field.size() > limits.max_field_bytes) return ParseError{ParseErrc::too_long, limits.max_field_bytes};
  detail::Tokenizer tok(field, /*allow_obs_fold=*/true);  // a response field, like the challenges
  std::vector<AuthParam> params;
  if (auto error = parse_param_list(tok, params, limits, detail::ListEnd::error)) return *error;
  return params;
}

}  // namespace authgate::grammar
