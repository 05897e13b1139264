// Error names and messages, and the small helpers declared in auth_params.hpp.
#include "authgate/grammar/auth_params.hpp"

#include <boost/throw_exception.hpp>
#include <iterator>
#include <stdexcept>
#include <string>

namespace authgate::grammar {

namespace {

struct ErrcText {
  ParseErrc code;
  std::string_view name;
  std::string_view description;
};

// In enum order; errc_text() checks the order so a new code cannot silently get another's text.
constexpr ErrcText errc_texts[] = {
    {ParseErrc::empty, "empty", "no challenge or credentials in the field"},
    {ParseErrc::too_long, "too_long", "field value is longer than the limit"},
    {ParseErrc::too_many_challenges, "too_many_challenges", "more challenges than the limit"},
    {ParseErrc::too_many_params, "too_many_params", "more auth-params than the limit"},
    {ParseErrc::expected_scheme, "expected_scheme", "expected an auth-scheme token"},
    {ParseErrc::expected_param, "expected_param", "expected an auth-param name"},
    {ParseErrc::expected_equals, "expected_equals", "expected '=' after the auth-param name"},
    {ParseErrc::expected_value, "expected_value", "expected a token or quoted-string after '='"},
    {ParseErrc::unterminated_quote, "unterminated_quote", "quoted-string has no closing '\"'"},
    {ParseErrc::bad_quoted_char, "bad_quoted_char", "character not allowed inside a quoted-string"},
    {ParseErrc::duplicate_param, "duplicate_param", "auth-param name occurs twice"},
    {ParseErrc::expected_comma, "expected_comma", "unexpected character after a complete element"},
    {ParseErrc::more_than_one, "more_than_one", "more than one credentials value"},
    {ParseErrc::bad_base64, "bad_base64", "character outside the base64 alphabet"},
    {ParseErrc::bad_padding, "bad_padding",
     "missing, misplaced or superfluous padding, or non-zero pad bits"},
};

constexpr bool texts_in_enum_order() {
  for (std::size_t i = 0; i < std::size(errc_texts); ++i) {
    if (static_cast<std::size_t>(errc_texts[i].code) != i) return false;
  }
  return true;
}
static_assert(texts_in_enum_order());

const ErrcText* errc_text(ParseErrc code) noexcept {
  const auto index = static_cast<std::size_t>(code);
  return index < std::size(errc_texts) ? &errc_texts[index] : nullptr;
}

}  // namespace

std::string_view to_string(ParseErrc code) noexcept {
  const ErrcText* text = errc_text(code);
  return text ? text->name : "unknown";
}

std::string ParseError::message() const {
  const ErrcText* text = errc_text(code);
  std::string out{text ? text->description : "unknown error"};
  out += " (";
  out += to_string(code);
  out += " at offset ";
  out += std::to_string(offset);
  out += ')';
  return out;
}

void throw_exception_from_error(const ParseError& e, const boost::source_location& loc) {
  boost::throw_exception(std::invalid_argument(e.message()), loc);
}

const std::string* find_param(std::span<const AuthParam> params, std::string_view name) noexcept {
  for (const auto& param : params) {
    if (iequals(param.name, name)) return &param.value;
  }
  return nullptr;
}

}  // namespace authgate::grammar
