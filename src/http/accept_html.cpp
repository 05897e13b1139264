// Reading the Accept field for HTML (see accept_html.hpp).
#include "http/accept_html.hpp"

#include <algorithm>
#include <optional>

#include "authgate/grammar/ascii.hpp"

namespace authgate::gateway {
namespace {

using grammar::iequals;

bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

// By hand: find_first_not_of(" \t") calls memchr on the set for every character it passes.
std::string_view trim(std::string_view text) noexcept {
  std::size_t start = 0;
  std::size_t end = text.size();
  while (start < end && is_ows(text[start])) ++start;
  while (end > start && is_ows(text[end - 1])) --end;
  return text.substr(start, end - start);
}

/// A qvalue (RFC 9110 §12.4.2) in thousandths: "0", "0.5", "1", "1.000"; nullopt when malformed.
std::optional<int> qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  int thousandths = text[0] == '1' ? 1000 : 0;
  if (text.size() == 1) return thousandths;
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  int scale = 100;
  for (const char c : text.substr(2)) {
    if (c < '0' || c > '9') return std::nullopt;
    if (thousandths == 1000 && c != '0') return std::nullopt;  // above 1
    thousandths += (c - '0') * scale;
    scale /= 10;
  }
  return thousandths;
}

/// The weight of one element, 1000 without a q parameter; nullopt when a parameter is malformed.
std::optional<int> weight_of(std::string_view parameters) {
  int weight = 1000;
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    const std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
    if (parameter.empty()) continue;
    const auto equals = parameter.find('=');
    if (equals == std::string_view::npos) return std::nullopt;
    if (iequals(trim(parameter.substr(0, equals)), "q")) {
      const auto value = qvalue(trim(parameter.substr(equals + 1)));
      if (!value) return std::nullopt;
      weight = *value;
    }
  }
  return weight;
}

}  // namespace

bool prefers_html(std::string_view accept) noexcept {
  int html = -1;   // best weight given to an HTML type by name
  int plain = -1;  // weight given to text/plain by name
  int elements = 0;
  while (!accept.empty() && elements++ < max_accept_elements) {
    // A comma inside a quoted parameter value would split an element here: that element is then
    // malformed and skipped, which can only make the answer plain text.
    const auto comma = accept.find(',');
    const std::string_view element = trim(accept.substr(0, comma));
    accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
    if (element.empty()) continue;
    const auto semicolon = element.find(';');
    const std::string_view type = trim(element.substr(0, semicolon));
    const auto weight =
        weight_of(semicolon == std::string_view::npos ? std::string_view{} : element.substr(semicolon + 1));
    if (!weight) continue;
    if (iequals(type, "text/html") || iequals(type, "application/xhtml+xml")) {
      // Nothing outweighs 1: the answer is settled (a browser's Accept names HTML first).
      if (*weight == 1000) return true;
      html = std::max(html, *weight);
    } else if (iequals(type, "text/plain")) {
      plain = std::max(plain, *weight);
    }
  }
  return html > 0 && html >= plain;
}

}  // namespace authgate::gateway
