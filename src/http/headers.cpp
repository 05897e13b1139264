#include "http/headers.hpp"

#include <iterator>
#include <vector>

#include <boost/beast/http/rfc7230.hpp>

#include "authgate/grammar/ascii.hpp"
#include "http/field_edits.hpp"

namespace authgate::gateway {
namespace {

// A reason phrase for a status Beast has no name for, when the upstream sent an empty one: Beast would
// write "<unknown-status>" (RFC 9112 §4: the phrase is only a hint, so the status class is enough).
std::string_view phrase_for_unnamed(unsigned status) {
  if (status == 103) return "Early Hints";
  switch (status / 100) {
    case 1:
      return "Informational";
    case 2:
      return "Success";
    case 3:
      return "Redirection";
    case 4:
      return "Client Error";
    default:
      return "Server Error";
  }
}

}  // namespace

std::string join_groups(const std::vector<std::string>& groups) {
  std::string out;
  for (const auto& group : groups) {
    if (!out.empty()) out.push_back(',');
    out.append(group);
  }
  return out;
}

bool connection_has(const Fields& fields, std::string_view token) {
  bool listed = false;
  for_each_connection_token(fields,
                            [&](std::string_view each) { listed = listed || grammar::iequals(each, token); });
  return listed;
}

bool is_websocket_upgrade(const Fields& fields) {
  bool asks_for_websocket = false;
  for (const auto& field : fields) {
    if (field.name() != http::field::upgrade) continue;
    for (const auto protocol : http::token_list{field.value()}) {
      // Upgrade values are product tokens ("websocket" or "websocket/13"): compare the name.
      const auto name = protocol.substr(0, protocol.find('/'));
      asks_for_websocket = asks_for_websocket || grammar::iequals(name, "websocket");
    }
  }
  // Upgrade first: nearly every request has none, and the walk by enum is cheaper than Connection's tokens.
  return asks_for_websocket && connection_has(fields, "upgrade");
}

void strip_hop_by_hop(Fields& fields) {
  erase_connection_tokens(fields);
  for (auto it = fields.begin(); it != fields.end();)
    it = is_hop_by_hop(it->name()) ? fields.erase(it) : std::next(it);
}

void prepare_client_response(ResponseHead& response) {
  // An empty reason reads back as Beast's phrase for the status: "<unknown-status>" for one it lacks.
  if (response.result() == http::status::unknown &&
      response.reason() == http::obsolete_reason(http::status::unknown)) {
    response.reason(phrase_for_unnamed(response.result_int()));
  }
  const bool switching = response.result() == http::status::switching_protocols;
  std::string upgrade;
  if (switching) upgrade = take_joined(response, "Upgrade");
  strip_hop_by_hop(response);
  if (switching) {
    response.set(http::field::connection, "Upgrade");
    response.set(http::field::upgrade, upgrade);
  }
}

void make_private(ResponseHead& response) {
  const std::string existing = take_joined(response, "Cache-Control");
  std::string out = "private";
  std::size_t start = 0;
  while (start < existing.size()) {
    const auto comma = std::min(existing.find(',', start), existing.size());
    std::string_view directive{existing.data() + start, comma - start};
    while (!directive.empty() && (directive.front() == ' ' || directive.front() == '\t'))
      directive.remove_prefix(1);
    while (!directive.empty() && (directive.back() == ' ' || directive.back() == '\t'))
      directive.remove_suffix(1);
    const auto name = directive.substr(0, directive.find('='));
    if (grammar::iequals(name, "private") || grammar::iequals(name, "no-store")) {
      response.set(http::field::cache_control, existing);  // already kept out of shared caches
      return;
    }
    // `public` would let a shared cache store what one token holder was shown.
    if (!directive.empty() && !grammar::iequals(name, "public")) out.append(", ").append(directive);
    start = comma + 1;
  }
  response.set(http::field::cache_control, out);
}

void add_response_fields(ResponseHead& response, std::span<const ResponseField> fields) {
  for (const auto& field : fields) response.set(field.name, field.value);
}

}  // namespace authgate::gateway
