// access_token in a query or form body (RFC 6750 §2.2, §2.3).
#include "schemes/bearer/access_token.hpp"

#include "authgate/grammar/ascii.hpp"

namespace authgate::schemes {
namespace {

constexpr std::string_view parameter = "access_token";

std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = grammar::hex_value(text[i + 1]);
      const int lo = grammar::hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

// Calls `each(name, value, whole)` for every '&'-separated part (empty parts skipped).
template <class F>
void for_each_pair(std::string_view form, F&& each) {
  std::size_t start = 0;
  while (start <= form.size()) {
    const auto end = std::min(form.find('&', start), form.size());
    const std::string_view part = form.substr(start, end - start);
    if (!part.empty()) {
      const auto eq = part.find('=');
      each(part.substr(0, eq), eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), part);
    }
    start = end + 1;
  }
}

}  // namespace

std::optional<std::vector<std::string>> access_tokens_in(std::string_view form) {
  std::vector<std::string> tokens;
  bool broken = false;
  for_each_pair(form, [&](std::string_view name, std::string_view value, std::string_view) {
    // The name is compared as sent: "access_token" has nothing to escape, and a client that escapes
    // it anyway (access%5Ftoken) is not one RFC 6750 §2.3 describes.
    if (name != parameter) return;
    auto decoded = form_decode(value);
    if (!decoded) {
      broken = true;
      return;
    }
    tokens.push_back(std::move(*decoded));
  });
  if (broken) return std::nullopt;
  return tokens;
}

std::string without_access_token(std::string_view query) {
  std::string out;
  for_each_pair(query, [&](std::string_view name, std::string_view, std::string_view part) {
    if (name == parameter) return;
    if (!out.empty()) out += '&';
    out += part;
  });
  return out;
}

}  // namespace authgate::schemes
