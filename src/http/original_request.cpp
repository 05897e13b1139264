#include "http/original_request.hpp"

#include <algorithm>

#include "authgate/grammar/ascii.hpp"
#include "authgate/grammar/parse.hpp"

namespace authgate::gateway {
namespace {

constexpr std::size_t max_method_bytes = 32;  // longer than any registered method

/// The one value of `name`: absent → missing_field, on two lines → repeated_field (RFC 9110 §5.3 would
/// join them into a list, which none of these fields is).
boost::system::result<std::string_view, OriginalError> one_field(const Fields& fields,
                                                                 std::string_view name) {
  const auto [first, last] = fields.equal_range(name);
  if (first == last) return OriginalError::missing_field;
  if (std::next(first) != last) return OriginalError::repeated_field;
  return first->value();
}

boost::system::result<std::string, OriginalError> method_of(std::string_view value) {
  if (value.size() > max_method_bytes || !grammar::is_token(value)) return OriginalError::bad_method;
  return std::string{value};
}

boost::system::result<bool, OriginalError> secure_of(std::string_view proto) {
  if (grammar::iequals(proto, "https")) return true;
  if (grammar::iequals(proto, "http")) return false;
  return OriginalError::bad_proto;
}

/// Host, target and their normal forms, whichever style found them.
boost::system::result<OriginalRequest, OriginalError> finish(std::string method, bool secure,
                                                             std::string_view host_field,
                                                             std::string_view target,
                                                             std::size_t max_uri_bytes) {
  if (target.size() > max_uri_bytes) return OriginalError::too_long;
  // Why: only origin-form names a path on the front proxy's own host; "*" or an absolute form here
  // would let the authority in the target differ from the host the decision is about.
  if (target.empty() || target.front() != '/') return OriginalError::bad_target;
  auto host = parse_host(host_field);
  if (!host || host->empty()) return OriginalError::bad_host;
  auto parsed = parse_request_target(target);
  if (!parsed) return OriginalError::bad_target;
  OriginalRequest out;
  out.method = std::move(method);
  out.secure = secure;
  out.host_field = std::string{host_field};
  out.host = std::move(*host);
  out.target = std::string{target};
  out.parsed = std::move(*parsed);
  return out;
}

boost::system::result<OriginalRequest, OriginalError> from_x_forwarded(const Fields& fields,
                                                                       std::size_t max_uri_bytes) {
  const auto method = one_field(fields, "X-Forwarded-Method");
  const auto proto = one_field(fields, "X-Forwarded-Proto");
  const auto host = one_field(fields, "X-Forwarded-Host");
  const auto uri = one_field(fields, "X-Forwarded-Uri");
  for (const auto* field : {&method, &proto, &host, &uri}) {
    if (!*field) return field->error();
  }
  auto verb = method_of(*method);
  if (!verb) return verb.error();
  const auto secure = secure_of(*proto);
  if (!secure) return secure.error();
  return finish(std::move(*verb), *secure, *host, *uri, max_uri_bytes);
}

boost::system::result<OriginalRequest, OriginalError> from_x_original(const Fields& fields,
                                                                      std::size_t max_uri_bytes) {
  const auto method = one_field(fields, "X-Original-Method");
  const auto url = one_field(fields, "X-Original-URL");
  if (!method) return method.error();
  if (!url) return url.error();
  auto verb = method_of(*method);
  if (!verb) return verb.error();
  if (url->size() > max_uri_bytes) return OriginalError::too_long;
  const auto scheme_end = url->find("://");
  if (scheme_end == std::string_view::npos) return OriginalError::bad_url;
  const auto secure = secure_of(url->substr(0, scheme_end));
  if (!secure) return OriginalError::bad_url;
  const auto rest = url->substr(scheme_end + 3);
  const auto authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  const auto authority = rest.substr(0, authority_end);
  std::string target{rest.substr(authority_end)};
  if (target.empty() || target.front() != '/') target.insert(0, "/");  // "http://h" and "http://h?q"
  return finish(std::move(*verb), *secure, authority, target, max_uri_bytes);
}

boost::system::result<OriginalRequest, OriginalError> from_envoy(const RequestHead& request,
                                                                 std::string_view path_prefix,
                                                                 std::size_t max_uri_bytes) {
  bool secure = false;
  if (request.count("X-Forwarded-Proto") != 0) {
    const auto proto = one_field(request, "X-Forwarded-Proto");
    if (!proto) return proto.error();
    const auto is_secure = secure_of(*proto);
    if (!is_secure) return is_secure.error();
    secure = *is_secure;
  }
  const auto own = request.target();
  // The prefix ends on a segment boundary: "/authz" covers "/authz", "/authz/x" and "/authz?q", not
  // "/authzx".
  if (!own.starts_with(path_prefix)) return OriginalError::outside_prefix;
  const auto rest = own.substr(path_prefix.size());
  if (!rest.empty() && rest.front() != '/' && rest.front() != '?') return OriginalError::outside_prefix;
  std::string target{rest};
  if (target.empty() || target.front() == '?') target.insert(0, "/");
  const auto host = one_field(request, "Host");
  if (!host) return host.error();
  return finish(std::string{request.method_string()}, secure, *host, target, max_uri_bytes);
}

}  // namespace

std::optional<OriginalStyle> original_style(std::string_view name) noexcept {
  if (name == "x-forwarded") return OriginalStyle::x_forwarded;
  if (name == "x-original") return OriginalStyle::x_original;
  if (name == "envoy") return OriginalStyle::envoy;
  return std::nullopt;
}

std::string_view to_string(OriginalError error) noexcept {
  switch (error) {
    case OriginalError::missing_field:
      return "a field of the original request is missing";
    case OriginalError::repeated_field:
      return "a field of the original request is repeated";
    case OriginalError::bad_method:
      return "the original method is not a token";
    case OriginalError::bad_proto:
      return "the original scheme is neither http nor https";
    case OriginalError::bad_url:
      return "the original URL is not http(s)://authority/path";
    case OriginalError::bad_host:
      return "the original host is not host[:port]";
    case OriginalError::bad_target:
      return "the original target is refused";
    case OriginalError::outside_prefix:
      return "the target is not under the path prefix";
    case OriginalError::too_long:
      return "the original target is too long";
  }
  return "unknown";
}

boost::system::result<OriginalRequest, OriginalError> read_original_request(const RequestHead& request,
                                                                            OriginalStyle style,
                                                                            std::string_view path_prefix,
                                                                            std::size_t max_uri_bytes) {
  switch (style) {
    case OriginalStyle::x_forwarded:
      return from_x_forwarded(request, max_uri_bytes);
    case OriginalStyle::x_original:
      return from_x_original(request, max_uri_bytes);
    case OriginalStyle::envoy:
      return from_envoy(request, path_prefix, max_uri_bytes);
  }
  return OriginalError::missing_field;
}

std::vector<std::string_view> forwarded_for_chain(const Fields& fields, std::size_t max_entries) {
  std::vector<std::string_view> chain;
  for (const auto& field : fields) {
    if (!grammar::iequals(field.name_string(), "X-Forwarded-For")) continue;
    std::string_view list = field.value();
    while (!list.empty()) {
      const auto comma = std::min(list.find(','), list.size());
      auto entry = list.substr(0, comma);
      while (!entry.empty() && (entry.front() == ' ' || entry.front() == '\t')) entry.remove_prefix(1);
      while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\t')) entry.remove_suffix(1);
      if (!entry.empty()) chain.push_back(entry);
      list.remove_prefix(std::min(comma + 1, list.size()));
    }
  }
  if (chain.size() > max_entries) chain.erase(chain.begin(), chain.end() - static_cast<long>(max_entries));
  return chain;
}

}  // namespace authgate::gateway
