// One-line spellings of parse results for the test tables.
#include "summary.hpp"

#include <cstdio>

namespace authgate::grammar::test {
namespace {

void append_escaped(std::string& out, std::string_view value) {
  for (char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte < 0x20 || byte >= 0x7F) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", byte);
      out += hex;
    } else {
      out += c;
    }
  }
}

std::string element(const std::string& scheme, const std::optional<std::string>& token68,
                    const std::vector<AuthParam>& params) {
  std::string out = scheme;
  if (token68) {
    out += " <";
    append_escaped(out, *token68);
    out += '>';
  }
  if (!params.empty()) out += " " + summary(params);
  return out;
}

}  // namespace

std::string summary(const ParseError& error) {
  return "error:" + std::string(to_string(error.code)) + "@" + std::to_string(error.offset);
}

std::string summary(const std::vector<AuthParam>& params) {
  std::string out = "{";
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (i != 0) out += ", ";
    out += params[i].name + "=\"";
    append_escaped(out, params[i].value);
    out += '"';
  }
  return out + "}";
}

std::string summary(const Challenge& challenge) {
  return element(challenge.scheme, challenge.token68, challenge.params);
}

std::string summary(const std::vector<Challenge>& challenges) {
  std::string out;
  for (std::size_t i = 0; i < challenges.size(); ++i) {
    if (i != 0) out += " | ";
    out += summary(challenges[i]);
  }
  return out;
}

std::string summary(const Credentials& credentials) {
  return element(credentials.scheme, credentials.token68, credentials.params);
}

}  // namespace authgate::grammar::test
