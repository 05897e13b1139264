#include "http/decision_reply.hpp"

namespace authgate::gateway {

ArenaString render_allowed_decision(const AllowedDecision& answer, const HeadAllocator<char>& allocator) {
  ArenaString wire{allocator};
  wire.reserve(256);
  auto line = [&wire](std::string_view name, std::string_view value) {
    wire.append(name).append(": ").append(value).append("\r\n");
  };
  wire.append("HTTP/1.1 200 OK\r\n");
  if (!answer.date.empty()) line("Date", answer.date);
  // Why: the answer is about one client's credentials; nothing between may keep it for another.
  line("Cache-Control", "no-store");
  const auto& names = *answer.names;
  const Identity* who = answer.identity;
  line(names.user, who != nullptr ? std::string_view(who->user) : std::string_view());
  line(names.groups, who != nullptr ? join_groups(who->groups) : std::string());
  line(names.scheme, who != nullptr ? std::string_view(who->scheme) : std::string_view());
  for (const auto& field : answer.fields) line(field.name, field.value);
  if (answer.report_status) line("X-Authgate-Status", "200");
  line("Content-Length", "0");
  if (!answer.keep_alive) {
    line("Connection", "close");
  } else if (answer.client_version < 11) {
    line("Connection", "keep-alive");  // RFC 9112 §9.3: HTTP/1.0 persistence
  }
  wire.append("\r\n");
  return wire;
}

}  // namespace authgate::gateway
