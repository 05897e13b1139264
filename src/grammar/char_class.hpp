#pragma once
// Character classes of RFC 9110 §5.6 (tchar, OWS, qdtext, obs-text) and RFC 9110 §11.2 (token68), as
// constexpr lookup tables so the parsers branch once per byte.

#include <array>
#include <cstdint>
#include <string_view>

namespace authgate::grammar::detail {

enum CharClass : std::uint8_t {
  cc_tchar = 1,     // RFC 9110 §5.6.2 token character
  cc_token68 = 2,   // RFC 9110 §11.2: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/"
  cc_qdtext = 4,    // RFC 9110 §5.6.4: HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
  cc_ows = 8,       // SP / HTAB
  cc_quotable = 16  // quoted-pair: HTAB / SP / VCHAR / obs-text
};

constexpr std::array<std::uint8_t, 256> make_char_classes() {
  std::array<std::uint8_t, 256> t{};
  constexpr std::string_view tchar_extra = "!#$%&'*+-.^_`|~";
  constexpr std::string_view token68_extra = "-._~+/";
  for (int c = 0; c < 256; ++c) {
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    std::uint8_t v = 0;
    if (alnum || tchar_extra.find(static_cast<char>(c)) != std::string_view::npos) v |= cc_tchar;
    if (alnum || token68_extra.find(static_cast<char>(c)) != std::string_view::npos) v |= cc_token68;
    const bool vchar_or_obs = (c >= 0x21 && c <= 0x7E) || c >= 0x80;
    if (c == '\t' || c == ' ' || (vchar_or_obs && c != '"' && c != '\\')) v |= cc_qdtext;
    if (c == '\t' || c == ' ') v |= cc_ows;
    if (c == '\t' || c == ' ' || vchar_or_obs) v |= cc_quotable;
    t[static_cast<std::size_t>(c)] = v;
  }
  return t;
}

inline constexpr std::array<std::uint8_t, 256> char_classes = make_char_classes();

constexpr bool has_class(char c, CharClass cls) noexcept {
  return (char_classes[static_cast<unsigned char>(c)] & cls) != 0;
}
constexpr bool is_tchar(char c) noexcept { return has_class(c, cc_tchar); }
constexpr bool is_token68_char(char c) noexcept { return has_class(c, cc_token68); }
constexpr bool is_qdtext(char c) noexcept { return has_class(c, cc_qdtext); }
constexpr bool is_ows(char c) noexcept { return has_class(c, cc_ows); }
constexpr bool is_quotable(char c) noexcept { return has_class(c, cc_quotable); }

}  // namespace authgate::grammar::detail
