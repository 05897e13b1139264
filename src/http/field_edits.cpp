#include "http/field_edits.hpp"

#include <boost/beast/http/rfc7230.hpp>
#include <boost/container/small_vector.hpp>

#include "authgate/grammar/ascii.hpp"

namespace authgate::gateway {
namespace {

// Fields a client may not remove by naming them in Connection: the upstream needs Host to route
// (RFC 9110 §7.2), and framing is re-set by the relay anyway.
bool is_protected(std::string_view name) {
  return grammar::iequals(name, "Host") || grammar::iequals(name, "Content-Length");
}

}  // namespace

// RFC 9110 §7.6.1 plus the fields that only make sense for one connection. Beast names each of these on
// parse (case-insensitively), so a field is tested by its enum, with no string compared.
bool is_hop_by_hop(http::field name) noexcept {
  switch (name) {
    case http::field::connection:
    case http::field::keep_alive:
    case http::field::proxy_connection:
    case http::field::te:
    case http::field::trailer:
    case http::field::transfer_encoding:
    case http::field::upgrade:
    case http::field::proxy_authorization:
    case http::field::proxy_authenticate:
      return true;
    default:
      return false;
  }
}

std::string_view first_value(const Fields& fields, http::field name) noexcept {
  for (const auto& field : fields) {
    if (field.name() == name) return field.value();
  }
  return {};
}

std::size_t count_named(const Fields& fields, http::field name) noexcept {
  std::size_t n = 0;
  for (const auto& field : fields) n += field.name() == name ? 1 : 0;
  return n;
}

bool keeps_alive(const Fields& fields, unsigned version) {
  bool close = false;
  bool keep_alive = false;
  for_each_connection_token(fields, [&](std::string_view token) {
    close = close || grammar::iequals(token, "close");
    keep_alive = keep_alive || grammar::iequals(token, "keep-alive");
  });
  return !close && (version >= 11 || keep_alive);
}

std::string take_joined(Fields& fields, std::string_view name) {
  std::string joined;
  // Every line of the name, in order (Beast's equal_range does not walk the list in name order).
  for (const auto& field : fields) {
    if (!grammar::iequals(field.name_string(), name)) continue;
    if (!joined.empty()) joined += ", ";
    joined.append(field.value());
  }
  fields.erase(name);
  return joined;
}

void append_list(Fields& fields, std::string_view name, std::string_view element) {
  auto joined = take_joined(fields, name);
  if (!joined.empty()) joined += ", ";
  joined.append(element);
  fields.set(name, joined);
}

// Connection's tokens name more fields to remove (RFC 9110 §7.6.1). The usual ones (keep-alive, close,
// upgrade, te) name hop-by-hop fields or none, which the pass by enum removes anyway: no lookup for them.
void erase_connection_tokens(Fields& fields) {
  // Copied out first (erasing a field frees the value the tokens point into); inline room for the usual
  // one or two unusual tokens.
  boost::container::small_vector<std::string, 4> tokens;
  for_each_connection_token(fields, [&tokens](std::string_view token) {
    // The usual tokens as browsers and servers spell them first: one compare, not a folding loop.
    if (token == "keep-alive" || token == "close" || grammar::iequals(token, "keep-alive") ||
        grammar::iequals(token, "close") || is_hop_by_hop(http::string_to_field(token)) ||
        is_protected(token)) {
      return;
    }
    tokens.emplace_back(token);
  });
  for (const auto& token : tokens) fields.erase(token);
}

}  // namespace authgate::gateway
