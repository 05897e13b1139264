// Scheme elements and auth-param lists, shared by the challenge, credentials and auth-info parsers.
#include "grammar/element.hpp"

#include <algorithm>
#include <memory>
#include <unordered_set>

namespace authgate::grammar::detail {
namespace {

constexpr std::size_t npos = std::string_view::npos;

// Remembers the names of one param list. RFC 9110 §11.2: "each parameter name MUST only occur once per
// challenge"; a second value could otherwise make two components read two different realms or nonces.
// A short list is scanned; a long one (only with raised limits) switches to a hash set so the check
// stays linear.
class ParamNames {
 public:
  /// Whether the name of the last param in `params` occurred before.
  bool last_is_duplicate(const std::vector<AuthParam>& params) {
    const std::string& name = params.back().name;
    if (params.size() <= scan_limit) {
      return std::any_of(params.begin(), params.end() - 1,
                         [&](const AuthParam& p) { return p.name == name; });
    }
    if (!set_) {
      set_ = std::make_unique<std::unordered_set<std::string>>();
      for (auto it = params.begin(); it != params.end() - 1; ++it) set_->insert(it->name);
    }
    return !set_->insert(name).second;
  }

 private:
  static constexpr std::size_t scan_limit = 24;
  std::unique_ptr<std::unordered_set<std::string>> set_;
};

bool looks_like_param(const Tokenizer& tok) {
  const std::size_t end = tok.token_end(tok.pos());
  if (end == tok.pos()) return false;
  const std::size_t eq = tok.ows_end(end);
  return eq < tok.input().size() && tok.input()[eq] == '=';
}

// The error for an element that should have been an auth-param but is not.
ParseError not_a_param(const Tokenizer& tok) {
  const std::size_t end = tok.token_end(tok.pos());
  if (end == tok.pos()) return {ParseErrc::expected_param, tok.pos()};
  return {ParseErrc::expected_equals, tok.ows_end(end)};
}

void append_lower(std::string& out, std::string_view name) {
  out.resize(name.size());
  std::transform(name.begin(), name.end(), out.begin(), [](char c) { return to_lower(c); });
}

// At a token followed by BWS "=": reads `token BWS "=" BWS ( token / quoted-string )` (RFC 9110 §11.2).
std::optional<ParseError> parse_param(Tokenizer& tok, std::vector<AuthParam>& params, ParamNames& names,
                                      const Limits& limits) {
  const std::size_t start = tok.pos();
  if (params.size() >= limits.max_params) return ParseError{ParseErrc::too_many_params, start};
  const std::string_view name = tok.read_token();
  tok.skip_ows();
  tok.advance();  // the '=' that looks_like_param() saw
  tok.skip_ows();
  AuthParam& param = params.emplace_back();
  append_lower(param.name, name);
  if (!tok.at_end() && tok.peek() == '"') {
    if (auto error = tok.read_quoted(param.value)) return error;
  } else {
    const std::string_view value = tok.read_token();
    if (value.empty()) return ParseError{ParseErrc::expected_value, tok.pos()};
    param.value.assign(value);
  }
  if (names.last_is_duplicate(params)) return ParseError{ParseErrc::duplicate_param, start};
  return std::nullopt;
}

// After the scheme and its whitespace: a token68 if the run of token68 characters ends the element (or
// carries "==", which no auth-param can), otherwise an auth-param list. RFC 9110 §11.2 allows either,
// never both.
std::optional<ParseError> parse_scheme_body(Tokenizer& tok, SchemeElement out, const Limits& limits) {
  std::size_t pads = 0;
  const std::size_t end = tok.token68_end(pads);
  if (end > tok.pos()) {
    const std::size_t after = tok.ows_end(end);
    const bool ends_element = after >= tok.input().size() || tok.input()[after] == ',';
    if (ends_element || pads >= 2) {
      out.token68.emplace(tok.input().substr(tok.pos(), end - tok.pos()));
      tok.seek(after);
      if (!ends_element) return ParseError{ParseErrc::expected_comma, after};
      return std::nullopt;
    }
  }
  return parse_param_list(tok, out.params, limits, ListEnd::next_element);
}

}  // namespace

std::optional<ParseError> parse_scheme_element(Tokenizer& tok, SchemeElement out, const Limits& limits) {
  const std::size_t start = tok.pos();
  const std::string_view scheme = tok.read_token();
  if (scheme.empty()) return ParseError{ParseErrc::expected_scheme, start};
  const bool spaced = tok.skip_ows();
  // `realm="x"` where a challenge should start is an auth-param without a scheme (Reschke
  // simplebasiccomma2): the comma already ended the previous challenge.
  if (!tok.at_end() && tok.peek() == '=') return ParseError{ParseErrc::expected_scheme, start};
  out.scheme.assign(scheme);
  if (tok.at_end() || (tok.peek() == ',' && !spaced)) return std::nullopt;
  if (!spaced) return ParseError{ParseErrc::expected_comma, tok.pos()};
  return parse_scheme_body(tok, out, limits);
}

std::optional<ParseError> parse_param_list(Tokenizer& tok, std::vector<AuthParam>& params,
                                           const Limits& limits, ListEnd list_end) {
  ParamNames names;
  // Most lists are short (Basic: 1-2, Bearer errors: 3-4, Digest: 8-11); one early reservation saves
  // the 1 → 2 → 4 → 8 reallocations without holding much memory.
  if (params.capacity() == 0) params.reserve(std::min<std::size_t>(limits.max_params, 8));
  std::size_t last_comma = npos;
  for (;;) {
    tok.skip_ows();
    if (tok.at_end()) return std::nullopt;
    if (tok.peek() == ',') {
      last_comma = tok.pos();
      tok.advance();
      continue;
    }
    if (!looks_like_param(tok)) {
      if (last_comma == npos || list_end == ListEnd::error) return not_a_param(tok);
      tok.seek(last_comma);
      return std::nullopt;
    }
    if (auto error = parse_param(tok, params, names, limits)) return error;
    tok.skip_ows();
    if (!tok.at_end() && tok.peek() != ',') return ParseError{ParseErrc::expected_comma, tok.pos()};
  }
}

}  // namespace authgate::grammar::detail
