// One canonical spelling for every auth field we send (RFC 9110 §11.2, §11.6).
#include "authgate/grammar/serialize.hpp"

#include <array>

#include "authgate/grammar/parse.hpp"
#include "grammar/char_class.hpp"

namespace authgate::grammar {
namespace {

// RFC 7616 §3.3-§3.5 spell these bare (`algorithm=SHA-256`, `stale=true`, `nc=00000001`, `qop=auth`,
// `userhash=true`) and some Digest clients only accept them that way; every other value is quoted, which
// every parser accepts. The one exception is qop in a challenge, which §3.3 quotes (`qop="auth"`, a list
// of options) while credentials and Authentication-Info send it bare (§3.4, §3.5).
constexpr std::array<std::string_view, 5> bare_params = {"algorithm", "stale", "nc", "qop", "userhash"};

enum class Element : unsigned char { challenge, other };

bool is_bare_param(std::string_view name, Element element) {
  if (element == Element::challenge && name == "qop") return false;
  for (std::string_view bare : bare_params) {
    if (name == bare) return true;
  }
  return false;
}

// A CTL (other than HTAB) in a field would end the header line or be rejected by the peer (RFC 9110
// §5.5); it cannot even be quoted (§5.6.4). Such bytes come only from misconfigured values and are
// written as SP so a realm or description can never split the response header.
char field_safe(char c) { return (static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7F ? ' ' : c; }

void append_raw(std::string& out, std::string_view text) {
  for (char c : text) out += field_safe(c);
}

void append_param(std::string& out, const AuthParam& param, Element element) {
  append_raw(out, param.name);
  out += '=';
  if (is_bare_param(param.name, element) && is_token(param.value)) {
    out += param.value;
  } else {
    append_quoted(out, param.value);
  }
}

void append_params(std::string& out, std::span<const AuthParam> params, Element element) {
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i != 0) out += ", ";
    append_param(out, params[i], element);
  }
}

std::size_t estimate(std::string_view scheme, const std::optional<std::string>& token68,
                     std::span<const AuthParam> params) {
  std::size_t n = scheme.size() + 1 + (token68 ? token68->size() : 0);
  for (const auto& p : params) n += p.name.size() + p.value.size() + 6;
  return n;
}

// `auth-scheme [ 1*SP ( token68 / #auth-param ) ]`; a token68 wins if both are set.
void append_element(std::string& out, std::string_view scheme, const std::optional<std::string>& token68,
                    std::span<const AuthParam> params, Element element) {
  append_raw(out, scheme);
  if (token68) {
    if (token68->empty()) return;
    out += ' ';
    append_raw(out, *token68);
  } else if (!params.empty()) {
    out += ' ';
    append_params(out, params, element);
  }
}

}  // namespace

void append_quoted(std::string& out, std::string_view value) {
  out += '"';
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += field_safe(c);
  }
  out += '"';
}

std::string to_field(const Challenge& challenge) {
  std::string out;
  out.reserve(estimate(challenge.scheme, challenge.token68, challenge.params));
  append_element(out, challenge.scheme, challenge.token68, challenge.params, Element::challenge);
  return out;
}

std::string to_field(std::span<const Challenge> challenges) {
  std::size_t size = 0;
  for (const auto& c : challenges) size += estimate(c.scheme, c.token68, c.params) + 2;
  std::string out;
  out.reserve(size);
  for (std::size_t i = 0; i < challenges.size(); ++i) {
    if (i != 0) out += ", ";
    append_element(out, challenges[i].scheme, challenges[i].token68, challenges[i].params,
                   Element::challenge);
  }
  return out;
}

std::string to_field(const Credentials& credentials) {
  std::string out;
  out.reserve(estimate(credentials.scheme, credentials.token68, credentials.params));
  append_element(out, credentials.scheme, credentials.token68, credentials.params, Element::other);
  return out;
}

std::string to_field(std::span<const AuthParam> params) {
  std::string out;
  out.reserve(estimate({}, std::nullopt, params));
  append_params(out, params, Element::other);
  return out;
}

bool is_field_value(std::string_view value) noexcept {
  if (value.empty()) return true;
  const auto is_vchar = [](char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 0x21 && u <= 0x7E) || u >= 0x80;
  };
  if (!is_vchar(value.front()) || !is_vchar(value.back())) return false;
  for (const char c : value) {
    if (!is_vchar(c) && c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace authgate::grammar
