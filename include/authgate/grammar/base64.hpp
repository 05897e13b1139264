#pragma once
// Strict base64 (RFC 4648 §4: padding required, no whitespace, zero pad bits) and base64url (§5: no
// padding). Every invalid input is rejected with the offset of the first bad byte and the reason.

#include <string>
#include <string_view>

#include "authgate/grammar/auth_params.hpp"

namespace authgate::grammar {

std::string encode_base64(std::string_view bytes);
ParseResult<std::string> decode_base64(std::string_view text);

std::string encode_base64url(std::string_view bytes);
ParseResult<std::string> decode_base64url(std::string_view text);

}  // namespace authgate::grammar
