#pragma once
// The two shapes every auth field is made of (RFC 9110 §11.2, §11.3, §11.6): a scheme element
// `auth-scheme [ 1*SP ( token68 / #auth-param ) ]` and an `#auth-param` list.

#include <optional>
#include <string>
#include <vector>

#include "authgate/grammar/auth_params.hpp"
#include "grammar/tokenizer.hpp"

namespace authgate::grammar::detail {

/// Where a scheme element is written: the fields of a Challenge or of Credentials.
struct SchemeElement {
  std::string& scheme;
  std::optional<std::string>& token68;
  std::vector<AuthParam>& params;
};

/// What an `#auth-param` list does when, after a comma, it meets an element that is not an auth-param.
enum class ListEnd {
  next_element,  // the element starts the next challenge: rewind to the comma before it and stop
  error,         // Authentication-Info holds auth-params only: report the element
};

/// Parses one scheme element at `tok.pos()`. On success the tokenizer stands at the end of the input or
/// at the ',' that precedes the next list element.
std::optional<ParseError> parse_scheme_element(Tokenizer& tok, SchemeElement out, const Limits& limits);

/// Parses `#auth-param` (empty elements allowed, RFC 9110 §5.6.1.2) into `params`, lower-casing names
/// and rejecting duplicate names (RFC 9110 §11.2) and more than `limits.max_params` params.
std::optional<ParseError> parse_param_list(Tokenizer& tok, std::vector<AuthParam>& params,
                                           const Limits& limits, ListEnd list_end);

}  // namespace authgate::grammar::detail
