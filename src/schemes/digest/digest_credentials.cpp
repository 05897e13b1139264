// Digest credentials (RFC 7616 §3.4) from a parsed Authorization value: one pass sorts the parameters
// into slots (bounding sizes and refusing duplicates), then each slot is checked on its own.
#include "schemes/digest/digest_credentials.hpp"

#include <array>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "authgate/grammar/ascii.hpp"

namespace authgate::schemes::digest {
namespace {

using Result = boost::system::result<DigestCredentials, Reason>;

constexpr std::string_view scheme_name = "Digest";

/// Where each directive RFC 7616 §3.4 defines is kept while parsing.
namespace slot {
enum Index : std::uint8_t {
  username,
  username_ext,
  realm,
  nonce,
  uri,
  response,
  algorithm,
  qop,
  nc,
  cnonce,
  opaque,
  userhash,
  count
};
}  // namespace slot

constexpr std::array<std::string_view, slot::count> slot_names = {
    "username",  "username*", "realm", "nonce",  "uri",    "response",
    "algorithm", "qop",       "nc",    "cnonce", "opaque", "userhash"};

using Slots = std::array<const std::string*, slot::count>;

/// Sorts the parameters into slots. False when one occurs twice or a size bound is crossed: RFC 7616
/// §3.4 allows each directive once, and a field bigger than any client sends is an attack.
bool collect(std::span<const grammar::AuthParam> params, Slots& slots) {
  if (params.size() > DigestLimits::max_params) return false;
  std::size_t total = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const grammar::AuthParam& param = params[i];
    total += param.name.size() + param.value.size();
    if (param.value.size() > DigestLimits::max_value_bytes || total > DigestLimits::max_total_bytes) {
      return false;
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (grammar::iequals(params[j].name, param.name)) return false;
    }
    for (std::size_t s = 0; s < slot::count; ++s) {
      if (grammar::iequals(param.name, slot_names[s])) slots[s] = &param.value;
    }
  }
  return true;
}

/// Every directive RFC 7616 §3.4 requires once qop is sent (this gateway always offers qop, so an
/// RFC 2069 answer without it is refused), present and non-empty; realm may be an empty string.
bool has_required(const Slots& slots) {
  // Exactly one of username and username* (RFC 7616 §3.4: a client never sends both).
  if ((slots[slot::username] == nullptr) == (slots[slot::username_ext] == nullptr)) return false;
  if (slots[slot::realm] == nullptr) return false;
  for (const slot::Index required :
       {slot::nonce, slot::uri, slot::response, slot::qop, slot::nc, slot::cnonce}) {
    if (slots[required] == nullptr || slots[required]->empty()) return false;
  }
  return true;
}

/// `size` hex digits in either case, lower-cased into `out`.
bool lower_hex(std::string_view text, std::size_t size, std::string& out) {
  if (text.size() != size) return false;
  out.resize(size);
  for (std::size_t i = 0; i < size; ++i) {
    if (grammar::hex_value(text[i]) < 0) return false;
    out[i] = grammar::to_lower(text[i]);
  }
  return true;
}

/// nc-value = 8LHEX (RFC 7616 §3.4); upper-case digits are accepted too and kept as sent, since the
/// client hashed them so. 00000000 is refused: the count of a nonce's first use is 1.
bool parse_nc(std::string_view text, DigestCredentials& out) {
  if (text.size() != 8) return false;
  std::uint32_t value = 0;
  for (const char c : text) {
    const int digit = grammar::hex_value(c);
    if (digit < 0) return false;
    value = (value << 4) | static_cast<std::uint32_t>(digit);
  }
  if (value == 0) return false;
  out.nc = value;
  out.nc_text = text;
  return true;
}

/// qop is hashed as sent and must be one the challenge offered (RFC 7616 §3.4), so it is compared
/// exactly: "AUTH" was never offered.
bool parse_qop(std::string_view text, Qop& out) {
  if (text == "auth") {
    out = Qop::auth;
  } else if (text == "auth-int") {
    out = Qop::auth_int;
  } else {
    return false;
  }
  return true;
}

/// RFC 8187 §3.2.1 attr-char: the bytes an ext-value may carry unescaped.
bool is_attr_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

/// RFC 8187 §3.2.1 value-chars: attr-char or "%" HEXDIG HEXDIG; anything else is a broken escape.
bool percent_decode(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      if (!is_attr_char(text[i])) return false;
      out.push_back(text[i]);
      continue;
    }
    if (text.size() - i < 3) return false;
    const int high = grammar::hex_value(text[i + 1]);
    const int low = grammar::hex_value(text[i + 2]);
    if (high < 0 || low < 0) return false;
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return true;
}

/// RFC 8187 §3.2.1 ext-value = charset "'" [ language ] "'" value-chars. Only UTF-8 is accepted (RFC 7616
/// §3.4: username* uses the UTF-8 charset); the language tag is checked for its alphabet and ignored.
bool decode_ext_value(std::string_view ext, std::string& out) {
  const auto first = ext.find('\'');
  if (first == std::string_view::npos) return false;
  const auto second = ext.find('\'', first + 1);
  if (second == std::string_view::npos) return false;
  if (!grammar::iequals(ext.substr(0, first), "UTF-8")) return false;
  for (const char c : ext.substr(first + 1, second - first - 1)) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && c != '-') return false;  // RFC 5646 language-tag alphabet
  }
  return percent_decode(ext.substr(second + 1), out);
}

/// The code point of the RFC 3629 §4 UTF-8 sequence at the start of `text` and its length in bytes;
/// length 0 for an invalid one (stray continuation byte, truncation, overlong form, surrogate, above
/// U+10FFFF).
std::pair<char32_t, std::size_t> decode_utf8(std::string_view text) noexcept {
  const auto lead = static_cast<unsigned char>(text.front());
  if (lead < 0x80) return {lead, 1};
  // The lead byte says the length: 110xxxxx 2, 1110xxxx 3, 11110xxx 4; 10xxxxxx and 11111xxx never lead.
  const std::size_t length = lead >= 0xf8 ? 0 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 0;
  if (length == 0) return {0, 0};
  constexpr std::array<char32_t, 5> least = {0, 0, 0x80, 0x800, 0x10000};  // shortest form per length
  char32_t value = lead & (0x7fU >> length);
  if (text.size() < length) return {0, 0};
  for (std::size_t i = 1; i < length; ++i) {
    const auto next = static_cast<unsigned char>(text[i]);
    if ((next & 0xc0U) != 0x80U) return {0, 0};
    value = (value << 6) | (next & 0x3fU);
  }
  if (value < least[length] || value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) return {0, 0};
  return {value, length};
}

/// Valid UTF-8 without control characters (Unicode Cc: C0, DEL, C1): a user name goes to identity
/// headers and logs, where a control character could split or forge a line.
bool is_clean_name(std::string_view name) noexcept {
  while (!name.empty()) {
    const auto [code_point, length] = decode_utf8(name);
    if (length == 0 || code_point < 0x20 || (code_point >= 0x7f && code_point <= 0x9f)) return false;
    name.remove_prefix(length);
  }
  return true;
}

/// The user name from `username` or `username*`, or why not.
Reason decode_username(const Slots& slots, DigestCredentials& out) {
  if (slots[slot::username_ext] != nullptr) {
    // RFC 7616 §3.4.4: with userhash=true the username is the hash, which never needs username*.
    if (out.userhash || !decode_ext_value(*slots[slot::username_ext], out.username))
      return Reason::malformed_header;
  } else if (out.userhash) {
    // The userhash is H(username ":" realm) in hex (§3.4.4): lower-cased, it can be looked up as is.
    if (!lower_hex(*slots[slot::username], hex_size(out.algorithm), out.username))
      return Reason::malformed_header;
  } else {
    out.username = *slots[slot::username];
  }
  if (out.username.empty()) return Reason::malformed_header;
  return is_clean_name(out.username) ? Reason::ok : Reason::bad_user_id;
}

/// userhash, algorithm, qop, nc and response: the directives with a closed syntax.
bool parse_tokens(const Slots& slots, DigestCredentials& out) {
  if (const std::string* flag = slots[slot::userhash]) {
    if (!grammar::iequals(*flag, "true") && !grammar::iequals(*flag, "false")) return false;
    out.userhash = grammar::iequals(*flag, "true");
  }
  if (const std::string* name = slots[slot::algorithm]) {
    const auto parsed = parse_algorithm(*name);
    if (!parsed) return false;
    out.algorithm = *parsed;
  }  // absent: MD5 (RFC 7616 §3.3 "If this is not present, it is assumed to be MD5")
  return parse_qop(*slots[slot::qop], out.qop) && parse_nc(*slots[slot::nc], out) &&
         lower_hex(*slots[slot::response], hex_size(out.algorithm), out.response);
}

}  // namespace

Result parse_digest_credentials(const grammar::Credentials& credentials) {
  if (!grammar::iequals(credentials.scheme, scheme_name)) return Reason::scheme_not_accepted;
  // RFC 7616 §3.4: credentials = "Digest" digest-response, a list of auth-params; never a token68.
  if (credentials.token68) return Reason::malformed_header;
  Slots slots{};
  if (!collect(credentials.params, slots) || !has_required(slots)) return Reason::malformed_header;
  DigestCredentials out;
  if (!parse_tokens(slots, out)) return Reason::malformed_header;
  if (const Reason why = decode_username(slots, out); why != Reason::ok) return why;
  out.realm = *slots[slot::realm];
  out.nonce = *slots[slot::nonce];
  out.uri = *slots[slot::uri];
  out.cnonce = *slots[slot::cnonce];
  if (slots[slot::opaque] != nullptr) out.opaque = *slots[slot::opaque];
  return out;
}

}  // namespace authgate::schemes::digest
