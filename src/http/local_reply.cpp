#include "http/local_reply.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include <boost/beast/http/status.hpp>

#include "authgate/grammar/serialize.hpp"
#include "http/error_page.hpp"

namespace authgate::gateway {
// Written straight to wire bytes: a 401 is the gateway's most frequent answer, and building a Beast
// message (a node per field) and walking its serializer cost more than the answer itself.
RenderedReply render_local_reply(const LocalReply& reply, const HeadAllocator<char>& allocator) {
  const auto status = static_cast<http::status>(reply.status);
  const auto reason = http::obsolete_reason(status);
  const auto code = std::to_string(reply.status);
  RenderedReply rendered{ArenaString{allocator}};
  rendered.wire.reserve(256);
  auto line = [&out = rendered.wire](std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
  };
  // HTTP/1.1 in the status line whatever the request's version (RFC 9110 §2.5), as nginx does.
  rendered.wire.append("HTTP/1.1 ").append(code).append(" ").append(reason).append("\r\n");
  if (!reply.date.empty()) line("Date", reply.date);
  const int meant = reply.meant_status != 0 ? reply.meant_status : reply.status;
  // HTML only: the plain body is written straight into the wire, with no string of its own.
  std::string built_in;
  const std::string* page = nullptr;
  if (reply.html) {
    // An operator's page may use its site's stylesheet, logo and fonts; ours loads nothing. Scripts and
    // frames stay off on an answer that a credential prompt sits on.
    std::string_view policy = "default-src 'none'; style-src 'unsafe-inline'";
    if (reply.custom_page != nullptr) {
      page = reply.custom_page;
      policy =
          "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";
    } else {
      page = fixed_error_page(meant, reply.side);
      if (page == nullptr) {
        built_in = error_page_html(meant, http::obsolete_reason(static_cast<http::status>(meant)),
                                   reply.retry_after, reply.side);
        page = &built_in;
      }
    }
    line("Content-Type", "text/html; charset=utf-8");
    line("X-Content-Type-Options", "nosniff");
    line("Content-Security-Policy", policy);
  } else {
    line("Content-Type", "text/plain; charset=utf-8");
  }
  const std::size_t body_size =
      page != nullptr ? page->size() : code.size() + 1 + reason.size() + 1;  // "401 Unauthorized\n"
  // Why: a 401/403 must not be served from a shared cache to another user (RFC 9111 §5.2.2.5).
  if (reply.status == 401 || reply.status == 403 || reply.status == 407) line("Cache-Control", "no-store");
  const std::string_view challenge_field =
      reply.side == policy::Side::proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  // One field line per challenge (RFC 9110 §11.6.1 allows a list, but several real clients only
  // read the first challenge of a line) — unless the front proxy in between passes only one line.
  if (reply.rendered_challenges != nullptr) {
    if (reply.one_challenge_field) {
      line(challenge_field, reply.rendered_challenges->joined);
    } else {
      for (const auto& value : reply.rendered_challenges->values) line(challenge_field, value);
    }
  } else if (reply.one_challenge_field && !reply.challenges.empty()) {
    std::string joined;
    for (const auto& challenge : reply.challenges) {
      joined.append(joined.empty() ? "" : ", ").append(grammar::to_field(challenge));
    }
    line(challenge_field, joined);
  } else {
    for (const auto& challenge : reply.challenges) line(challenge_field, grammar::to_field(challenge));
  }
  if (reply.meant_status != 0) line("X-Authgate-Status", std::to_string(reply.meant_status));
  if (meant == 429 || meant == 503) {
    const auto seconds = std::max<std::chrono::seconds::rep>(reply.retry_after.count(), 1);
    line("Retry-After", std::to_string(seconds));
  }
  line("Content-Length", std::to_string(body_size));
  if (!reply.keep_alive) {
    line("Connection", "close");
  } else if (reply.client_version < 11) {
    line("Connection", "keep-alive");  // RFC 9112 §9.3: HTTP/1.0 persistence
  }
  rendered.wire.append("\r\n");
  if (!reply.head) {
    if (page != nullptr) {
      rendered.wire.append(*page);
    } else {
      rendered.wire.append(code).append(" ").append(reason).append("\n");
    }
    rendered.body_bytes = body_size;
  }
  return rendered;
}

std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t t = std::chrono::system_clock::to_time_t(when);
  std::tm tm{};
  gmtime_r(&t, &tm);
  // Not strftime: %a and %b follow the locale, the wire format does not.
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buffer[40];
  const int n =
      std::snprintf(buffer, sizeof buffer, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday],
                    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return std::string(buffer, static_cast<std::size_t>(n));
}

}  // namespace authgate::gateway
