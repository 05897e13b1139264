// WWW-Authenticate / Proxy-Authenticate: `1#challenge` (RFC 9110 §11.6.1, §11.7.1), one or several field
// lines.
#include <numeric>

#include "authgate/grammar/parse.hpp"
#include "grammar/element.hpp"

namespace authgate::grammar {
namespace {

using detail::Tokenizer;

ParseError shifted(ParseError error, std::size_t base) {
  error.offset += base;
  return error;
}

// Appends the challenges of one field line to `out`; `base` is the line's offset in the joined value.
std::optional<ParseError> parse_line(std::string_view line, std::size_t base, const Limits& limits,
                                     std::vector<Challenge>& out) {
  // Challenges arrive in responses, where RFC 9112 §5.2 asks user agents to read obs-fold as SP.
  Tokenizer tok(line, /*allow_obs_fold=*/true);
  for (;;) {
    tok.skip_ows();
    if (tok.at_end()) return std::nullopt;
    if (tok.peek() == ',') {  // empty list element (RFC 9110 §5.6.1.2, Reschke multibasicempty)
      tok.advance();
      continue;
    }
    if (out.size() >= limits.max_challenges)
      return shifted({ParseErrc::too_many_challenges, tok.pos()}, base);
    Challenge& challenge = out.emplace_back();
    if (auto error =
            parse_scheme_element(tok, {challenge.scheme, challenge.token68, challenge.params}, limits)) {
      return shifted(*error, base);
    }
    tok.skip_ows();
    if (!tok.at_end() && tok.peek() != ',') return shifted({ParseErrc::expected_comma, tok.pos()}, base);
  }
}

}  // namespace

ParseResult<std::vector<Challenge>> parse_challenges(std::string_view field, const Limits& limits) {
  return parse_challenges(std::span<const std::string_view>(&field, 1), limits);
}

ParseResult<std::vector<Challenge>> parse_challenges(std::span<const std::string_view> fields,
                                                     const Limits& limits) {
  const std::size_t joined =
      std::accumulate(fields.begin(), fields.end(), std::size_t{0},
                      [](std::size_t n, std::string_view f) { return n + f.size() + 2; });
  const std::size_t total = fields.empty() ? 0 : joined - 2;
  if (total > limits.max_field_bytes) return ParseError{ParseErrc::too_long, limits.max_field_bytes};
  std::vector<Challenge> out;
  std::size_t base = 0;
  for (std::string_view line : fields) {
    // Each line is parsed on its own so a quoted-string cannot run from one field line into the next.
    if (auto error = parse_line(line, base, limits, out)) return *error;
    base += line.size() + 2;
  }
  if (out.empty()) return ParseError{ParseErrc::empty, total};
  return out;
}

}  // namespace authgate::grammar
