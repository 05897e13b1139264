// Error names and messages, and the small helpers declared in auth_params.hpp.
#include "authgate/grammar/auth_params.hpp"

#include <boost/throw_exception.hpp>
#include <stdexcept>
#include <string>

#include "grammar/char_class.hpp"

namespace authgate::grammar {

std::string_view to_string(ParseErrc code) noexcept {
  switch (code) {
    case ParseErrc::empty:
      return "empty";
    case ParseErrc::too_long:
      return "too_long";
    case ParseErrc::too_many_challenges:
      return "too_many_challenges";
    case ParseErrc::too_many_params:
      return "too_many_params";
    case ParseErrc::expected_scheme:
      return "expected_scheme";
    case ParseErrc::expected_equals:
      return "expected_equals";
    case ParseErrc::expected_value:
      return "expected_value";
    case ParseErrc::unterminated_quote:
      return "unterminated_quote";
    case ParseErrc::bad_quoted_char:
      return "bad_quoted_char";
    case ParseErrc::duplicate_param:
      return "duplicate_param";
    case ParseErrc::expected_comma:
      return "expected_comma";
    case ParseErrc::more_than_one:
      return "more_than_one";
    case ParseErrc::bad_base64:
      return "bad_base64";
    case ParseErrc::bad_padding:
      return "bad_padding";
  }
  return "unknown";
}

namespace {

std::string_view describe(ParseErrc code) noexcept {
  switch (code) {
    case ParseErrc::empty:
      return "no challenge or credentials in the field";
    case ParseErrc::too_long:
      return "field value is longer than the limit";
    case ParseErrc::too_many_challenges:
      return "more challenges than the limit";
    case ParseErrc::too_many_params:
      return "more auth-params than the limit";
    case ParseErrc::expected_scheme:
      return "expected an auth-scheme token";
    case ParseErrc::expected_equals:
      return "expected '=' after the auth-param name";
    case ParseErrc::expected_value:
      return "expected a token or quoted-string after '='";
    case ParseErrc::unterminated_quote:
      return "quoted-string has no closing '\"'";
    case ParseErrc::bad_quoted_char:
      return "character not allowed inside a quoted-string";
    case ParseErrc::duplicate_param:
      return "auth-param name occurs twice";
    case ParseErrc::expected_comma:
      return "expected ',' or the end of the field";
    case ParseErrc::more_than_one:
      return "more than one credentials value";
    case ParseErrc::bad_base64:
      return "character outside the base64 alphabet";
    case ParseErrc::bad_padding:
      return "missing, misplaced or superfluous padding, or non-zero pad bits";
  }
  return "unknown error";
}

}  // namespace

std::string ParseError::message() const {
  std::string out{describe(code)};
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

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (detail::to_lower(a[i]) != detail::to_lower(b[i])) return false;
  }
  return true;
}

const std::string* find_param(std::span<const AuthParam> params, std::string_view name) noexcept {
  for (const auto& param : params) {
    if (iequals(param.name, name)) return &param.value;
  }
  return nullptr;
}

}  // namespace authgate::grammar
