// Authorization / Proxy-Authorization: exactly one `credentials` (RFC 9110 §11.6.2, §11.7.2).
#include "authgate/grammar/parse.hpp"
#include "grammar/element.hpp"

namespace authgate::grammar {

ParseResult<Credentials> parse_credentials(std::string_view field, const Limits& limits) {
  if (field.size() > limits.max_field_bytes) return ParseError{ParseErrc::too_long, limits.max_field_bytes};
  // Requests never carry obs-fold to us: a gateway rejects it (RFC 9112 §5.2), so CR and LF are errors.
  detail::Tokenizer tok(field, /*allow_obs_fold=*/false);
  tok.skip_ows();
  if (tok.at_end()) return ParseError{ParseErrc::empty, field.size()};
  Credentials credentials;
  if (auto error =
          parse_scheme_element(tok, {credentials.scheme, credentials.token68, credentials.params}, limits)) {
    return *error;
  }
  if (tok.at_end()) return credentials;
  // Authorization is not a list (RFC 9110 §11.6.2). A second scheme is two credentials, which must not be
  // half-read: one component could check the first and another the second (RFC 6750 §2 likewise allows
  // one method per request).
  const std::size_t comma = tok.pos();
  while (!tok.at_end() && (tok.peek() == ',' || tok.skip_ows())) {
    if (tok.peek() == ',') tok.advance();
  }
  if (tok.at_end()) return ParseError{ParseErrc::expected_comma, comma};
  return ParseError{ParseErrc::more_than_one, tok.pos()};
}

}  // namespace authgate::grammar
