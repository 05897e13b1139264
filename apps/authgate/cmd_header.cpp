// `authgate header parse <field-name> <value>...`: parse an authentication field as authgate does and
// print the result as JSON (scheme, token68, params in order), or the error with its offset and a caret
// under the value. Exit status: 0 parsed, 1 parse error, 2 unknown field name or wrong use.
#include <algorithm>
#include <boost/json.hpp>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authgate/grammar/parse.hpp"
#include "command.hpp"

namespace authgate::app {
namespace {

namespace grammar = authgate::grammar;
namespace json = boost::json;

constexpr int exit_ok = 0;
constexpr int exit_parse_error = 1;
constexpr int exit_usage = 2;

enum class FieldKind { challenges, credentials, auth_info };

struct FieldName {
  std::string_view name;
  FieldKind kind;
};

constexpr FieldName field_names[] = {
    {"www-authenticate", FieldKind::challenges},   {"proxy-authenticate", FieldKind::challenges},
    {"authorization", FieldKind::credentials},     {"proxy-authorization", FieldKind::credentials},
    {"authentication-info", FieldKind::auth_info}, {"proxy-authentication-info", FieldKind::auth_info},
};

std::optional<FieldName> find_field(std::string_view name) {
  for (const FieldName& field : field_names) {
    if (grammar::iequals(field.name, name)) return field;
  }
  return std::nullopt;
}

bool is_utf8(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) return false;
    for (std::size_t k = 1; k < n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return false;
    }
    i += n;
  }
  return true;
}

// JSON needs UTF-8; field values are bytes. Values that are not UTF-8 are read as ISO-8859-1, the
// historical charset of obs-text (RFC 9110 §5.5).
json::string text(std::string_view bytes) {
  if (is_utf8(bytes)) return json::string(bytes);
  json::string out;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      out.push_back(c);
    } else {
      out.push_back(static_cast<char>(0xC0 | byte >> 6));
      out.push_back(static_cast<char>(0x80 | (byte & 0x3F)));
    }
  }
  return out;
}

json::array params_json(const std::vector<grammar::AuthParam>& params) {
  json::array out;
  for (const auto& param : params)
    out.push_back(json::object{{"name", text(param.name)}, {"value", text(param.value)}});
  return out;
}

json::object element_json(const std::string& scheme, const std::optional<std::string>& token68,
                          const std::vector<grammar::AuthParam>& params) {
  json::object out{{"scheme", text(scheme)}};
  if (token68) out["token68"] = text(*token68);
  out["params"] = params_json(params);
  return out;
}

json::object error_json(const grammar::ParseError& error) {
  return json::object{
      {"code", grammar::to_string(error.code)}, {"offset", error.offset}, {"message", error.message()}};
}

// The value on one line (control and 8-bit bytes shown as '.' so columns match offsets) and a caret
// under the byte where parsing stopped.
void print_caret(std::string_view value, std::size_t offset) {
  std::string shown(value);
  for (char& c : shown) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7F) c = '.';
  }
  std::cerr << "  " << shown << "\n  " << std::string(std::min(offset, value.size()), ' ') << "^\n";
}

// Runs the parser for `kind`; fills `result` or returns the error.
std::optional<grammar::ParseError> parse_field(FieldKind kind, const std::vector<std::string>& values,
                                               json::object& result) {
  if (kind == FieldKind::challenges) {
    const std::vector<std::string_view> lines(values.begin(), values.end());
    auto parsed = grammar::parse_challenges(lines);
    if (!parsed) return parsed.error();
    json::array challenges;
    for (const auto& c : *parsed) challenges.push_back(element_json(c.scheme, c.token68, c.params));
    result["challenges"] = std::move(challenges);
  } else if (kind == FieldKind::credentials) {
    auto parsed = grammar::parse_credentials(values.front());
    if (!parsed) return parsed.error();
    result["credentials"] = element_json(parsed->scheme, parsed->token68, parsed->params);
  } else {
    auto parsed = grammar::parse_auth_info(values.front());
    if (!parsed) return parsed.error();
    result["params"] = params_json(*parsed);
  }
  return std::nullopt;
}

struct HeaderOptions {
  std::string field;
  std::vector<std::string> values;
};

int run_parse(const HeaderOptions& options) {
  const auto field = find_field(options.field);
  if (!field) {
    std::cerr << "authgate header parse: unknown field name '" << options.field
              << "' (www-authenticate, proxy-authenticate, authorization, proxy-authorization, "
                 "authentication-info, proxy-authentication-info)\n";
    return exit_usage;
  }
  if (field->kind != FieldKind::challenges && options.values.size() != 1) {
    std::cerr << "authgate header parse: " << field->name << " takes exactly one value\n";
    return exit_usage;
  }
  json::object result{{"field", field->name}};
  const auto error = parse_field(field->kind, options.values, result);
  if (error) result["error"] = error_json(*error);
  std::cout << json::serialize(result) << "\n";
  if (!error) return exit_ok;
  std::string joined;  // offsets are into the values joined with ", " (RFC 9110 §5.3)
  for (std::size_t i = 0; i < options.values.size(); ++i) joined += (i == 0 ? "" : ", ") + options.values[i];
  std::cerr << "error: " << error->message() << "\n";
  print_caret(joined, error->offset);
  return exit_parse_error;
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration header_command{
    400, [](CLI::App& app) {
      auto options = std::make_shared<HeaderOptions>();
      auto* header = app.add_subcommand("header", "Work with HTTP authentication header fields");
      header->require_subcommand(1);
      auto* parse =
          header->add_subcommand("parse", "Parse a field value as authgate does and print it as JSON");
      parse
          ->add_option("field-name", options->field,
                       "www-authenticate, proxy-authenticate, authorization, proxy-authorization, "
                       "authentication-info or proxy-authentication-info (any case)")
          ->required();
      parse
          ->add_option("value", options->values,
                       "The field value; several values are several field lines (challenge fields only)")
          ->required();
      return Command{parse, [options] { return run_parse(*options); }};
    }};

}  // namespace
}  // namespace authgate::app
