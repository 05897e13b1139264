// The body of POST /revocations (see revoke_request.hpp).
#include "http/revoke_request.hpp"

#include <boost/json/value.hpp>

#include "jose/json_strict.hpp"

namespace authgate::gateway {
namespace {

namespace json = boost::json;
using TimePoint = std::chrono::system_clock::time_point;
using Parsed = boost::system::result<RevokeRequest, std::string>;

Parsed refuse(std::string why) { return {boost::system::in_place_error, std::move(why)}; }

bool printable(std::string_view value) noexcept {
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7F) return false;
  }
  return true;
}

}  // namespace

Parsed parse_revoke_request(std::string_view body, TimePoint now) {
  if (body.size() > max_revoke_body_bytes) return refuse("the body is larger than 4096 bytes");
  // Strict: one member name twice would leave it to the parser which one counts.
  const auto parsed = jose::detail::parse_json_object(body);
  if (!parsed) return refuse("the body is not a JSON object (or names a member twice)");
  const json::object& object = *parsed;
  for (const auto& member : object) {
    const std::string_view key = member.key();
    if (key != "jti" && key != "user" && key != "ttl" && key != "until") {
      return refuse("unknown field (expected jti or user, and ttl or until)");
    }
  }
  RevokeRequest request;
  const json::value* jti = object.if_contains("jti");
  const json::value* user = object.if_contains("user");
  if ((jti == nullptr) == (user == nullptr)) return refuse("give exactly one of jti and user");
  const json::value& named = jti != nullptr ? *jti : *user;
  request.kind = jti != nullptr ? RevokedKind::token_id : RevokedKind::user;
  if (!named.is_string() || named.get_string().empty())
    return refuse("jti or user must be a non-empty string");
  request.value.assign(named.get_string().data(), named.get_string().size());
  if (request.value.size() > max_revoked_value_bytes) return refuse("jti or user is longer than 256 bytes");
  if (!printable(request.value)) return refuse("jti or user holds a control character");

  const json::value* ttl = object.if_contains("ttl");
  const json::value* until = object.if_contains("until");
  if ((ttl == nullptr) == (until == nullptr)) return refuse("give exactly one of ttl and until");
  if (ttl != nullptr) {
    if (!ttl->is_int64() || ttl->get_int64() <= 0) return refuse("ttl must be a positive number of seconds");
    if (ttl->get_int64() > max_revocation.count()) return refuse("ttl is longer than ten years");
    request.until = now + std::chrono::seconds(ttl->get_int64());
  } else {
    if (!until->is_int64() || until->get_int64() <= 0) return refuse("until must be unix seconds");
    const auto at = std::chrono::seconds(until->get_int64());
    const auto from_now = at - std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    if (from_now <= std::chrono::seconds::zero()) return refuse("until is in the past");
    if (from_now > max_revocation) return refuse("until is more than ten years away");
    request.until = TimePoint(at);
  }
  return request;
}

}  // namespace authgate::gateway
