#pragma once
// Strict base64 (RFC 4648 §4: padding required, no whitespace, zero pad bits) and base64url (§5: no
// padding). Every invalid input is rejected with the offset of the first bad byte and the reason.

#include <string>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar {

/// Base64 with the standard alphabet and '=' padding (RFC 4648 §4). Never fails.
std::string encode_base64(std::string_view bytes);

/// Strict RFC 4648 §4 decoding: whole 4-character quanta, canonical '=' padding, zero pad bits, no
/// whitespace. Errors: `bad_base64` at the first byte outside the alphabet, `bad_padding` at a misplaced
/// '=' or at the character holding non-zero pad bits, or at `text.size()` when padding is missing.
/// The empty text decodes to the empty string.
ParseResult<std::string> decode_base64(std::string_view text);

/// Base64url without padding (RFC 4648 §5, as JOSE uses it: RFC 7515 §2). Never fails.
std::string encode_base64url(std::string_view bytes);

/// Strict RFC 4648 §5 decoding without padding: any '=' is `bad_padding`, '+' '/' and whitespace are
/// `bad_base64`, a length of 4n+1 or non-zero pad bits are `bad_padding`.
ParseResult<std::string> decode_base64url(std::string_view text);

}  // namespace authgate::grammar
