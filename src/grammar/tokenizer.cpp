// quoted-string reading (the one lexical rule with escapes) and the public token / token68 checks.
#include "grammar/tokenizer.hpp"

#include <algorithm>

#include "authgate/grammar/parse.hpp"

namespace authgate::grammar::detail {

std::optional<ParseError> Tokenizer::read_quoted(std::string& out) {
  const std::size_t open = pos_;
  std::size_t p = open + 1;
  // Fast path: no quoted-pair, so the value is one slice of the input.
  std::size_t q = span_end(p, cc_qdtext);
  if (q < input_.size() && input_[q] == '"') {
    out.assign(input_.data() + p, q - p);
    pos_ = q + 1;
    return std::nullopt;
  }
  out.assign(input_.data() + p, q - p);
  p = q;
  while (p < input_.size()) {
    const char c = input_[p];
    if (c == '"') {
      pos_ = p + 1;
      return std::nullopt;
    }
    if (c == '\\') {
      // RFC 9110 §5.6.4: quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ); a CTL cannot be escaped.
      if (p + 1 >= input_.size()) return ParseError{ParseErrc::bad_quoted_char, p};
      if (!is_quotable(input_[p + 1])) return ParseError{ParseErrc::bad_quoted_char, p + 1};
      out += input_[p + 1];
      p += 2;
      continue;
    }
    // Control characters (NUL, CR, LF, DEL, ...) never appear in a quoted-string: they would let a value
    // smuggle a line break into a log or a re-serialised field.
    if (!is_qdtext(c)) return ParseError{ParseErrc::bad_quoted_char, p};
    out += c;
    ++p;
  }
  return ParseError{ParseErrc::unterminated_quote, open};
}

}  // namespace authgate::grammar::detail

namespace authgate::grammar {

bool is_token(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), detail::is_tchar);
}

bool is_token68(std::string_view s) noexcept {
  std::size_t end = 0;
  while (end < s.size() && detail::is_token68_char(s[end])) ++end;
  if (end == 0) return false;
  while (end < s.size() && s[end] == '=') ++end;
  return end == s.size();
}

}  // namespace authgate::grammar
