// Compact JWS structure and header checks (RFC 7515 §5.2 steps 1–5, §7.1).
#include <algorithm>
#include <array>
#include <boost/json/monotonic_resource.hpp>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/base64.hpp"
#include "authgate/jose/jws.hpp"
#include "jose/json_strict.hpp"

namespace authgate::jose {
namespace {

namespace json = boost::json;

struct Parts {
  std::string_view header, payload, signature;
};

// Exactly three parts: two dots, no more (Wycheproof "extra component", JWE's five parts, JSON
// serialization all fail here).
std::optional<Parts> split(std::string_view token) {
  const std::size_t first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const std::size_t second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return std::nullopt;
  return Parts{token.substr(0, first), token.substr(first + 1, second - first - 1), token.substr(second + 1)};
}

VerifyResult<std::optional<std::string>> optional_string(const json::object& header, std::string_view name) {
  const json::value* value = header.if_contains(name);
  if (!value) return std::optional<std::string>{};
  if (!value->is_string()) return VerifyErrc::bad_header;
  return std::optional<std::string>(std::string(value->get_string().data(), value->get_string().size()));
}

VerifyResult<Alg> header_alg(const json::object& header) {
  const json::value* value = header.if_contains("alg");
  if (!value) return VerifyErrc::malformed;  // RFC 7515 §4.1.1: "alg" MUST be present
  if (!value->is_string()) return VerifyErrc::bad_header;
  const std::string_view name(value->get_string().data(), value->get_string().size());
  // RFC 8725 §3.2 / RFC 7518 §3.6: unsecured JWS are never accepted here, in any spelling, so a
  // case-insensitive "none" check sits in front of the (case-sensitive) algorithm table.
  if (grammar::iequals(name, "none")) return VerifyErrc::alg_none;
  const std::optional<Alg> alg = parse_alg(name);
  if (!alg) return VerifyErrc::alg_unknown;
  return *alg;
}

VerifyResult<JoseHeader> parse_header(const json::object& header) {
  // RFC 7515 §4.1.11: a recipient MUST reject a JWS whose "crit" lists an extension it does not
  // understand, and "crit" must not be empty nor list registered names. We implement no extension (not
  // even RFC 7797 "b64"), so any "crit" at all is refused.
  if (header.contains("crit")) return VerifyErrc::crit_unsupported;
  auto alg = header_alg(header);
  if (!alg) return alg.error();
  auto kid = optional_string(header, "kid");
  if (!kid) return kid.error();
  auto typ = optional_string(header, "typ");
  if (!typ) return typ.error();
  return JoseHeader{*alg, std::move(*kid), std::move(*typ)};
}

}  // namespace

VerifyResult<CompactJws> parse_compact(std::string_view token, std::size_t max_token_bytes) {
  if (token.size() > max_token_bytes) return VerifyErrc::too_large;
  const auto parts = split(token);
  if (!parts || parts->header.empty()) return VerifyErrc::malformed;
  auto header_text = grammar::decode_base64url(parts->header);
  if (!header_text) return VerifyErrc::malformed;
  auto payload = grammar::decode_base64url(parts->payload);
  if (!payload) return VerifyErrc::malformed;
  auto signature = grammar::decode_base64url(parts->signature);
  if (!signature) return VerifyErrc::malformed;
  // The header only lives in this function: its JSON values come from a stack arena, not the heap.
  unsigned char arena_buffer[2048];
  json::monotonic_resource arena(arena_buffer, sizeof arena_buffer);
  const auto header = detail::parse_json_object(*header_text, json::storage_ptr(&arena));
  if (!header) return VerifyErrc::malformed;
  auto parsed = parse_header(*header);
  if (!parsed) return parsed.error();
  const std::size_t input_length = parts->header.size() + 1 + parts->payload.size();
  return CompactJws{std::move(*parsed), token.substr(0, input_length), std::move(*payload),
                    std::move(*signature)};
}

VerifyResult<DecodedJws> decode_unverified(std::string_view token, std::size_t max_token_bytes) {
  if (token.size() > max_token_bytes) return VerifyErrc::too_large;
  const auto parts = split(token);
  if (!parts) return VerifyErrc::malformed;
  auto header = grammar::decode_base64url(parts->header);
  auto payload = grammar::decode_base64url(parts->payload);
  if (!header || !payload || !grammar::decode_base64url(parts->signature)) return VerifyErrc::malformed;
  return DecodedJws{std::move(*header), std::move(*payload)};
}

bool typ_matches(std::string_view actual, std::string_view expected) noexcept {
  constexpr std::string_view prefix = "application/";
  const auto normalise = [&](std::string_view typ) {
    // RFC 7515 §4.1.9: treat a value without '/' as if "application/" were prepended.
    if (typ.find('/') == std::string_view::npos) return std::pair{true, typ};
    if (typ.size() > prefix.size() && grammar::iequals(typ.substr(0, prefix.size()), prefix)) {
      return std::pair{true, typ.substr(prefix.size())};
    }
    return std::pair{false, typ};
  };
  const auto [actual_app, actual_sub] = normalise(actual);
  const auto [expected_app, expected_sub] = normalise(expected);
  return actual_app == expected_app && grammar::iequals(actual_sub, expected_sub);
}

}  // namespace authgate::jose
