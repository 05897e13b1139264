#include "http/local_reply.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <iterator>

#include <boost/beast/http/status.hpp>
#include <boost/container/small_vector.hpp>

#include "authgate/grammar/serialize.hpp"
#include "http/error_page.hpp"
#include "http/wire_writer.hpp"

namespace authgate::gateway {
namespace {

constexpr std::string_view html_policy = "default-src 'none'; style-src 'unsafe-inline'";
// An operator's page may use its site's stylesheet, logo and fonts; ours loads nothing. Scripts and
// frames stay off on an answer that a credential prompt sits on.
constexpr std::string_view custom_page_policy =
    "default-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:";

// The challenge field values of a reply: pre-rendered at config load, or rendered now (a Digest nonce).
struct ChallengeValues {
  boost::container::small_vector<std::string_view, 4> values;
  std::vector<std::string> rendered;  // owns what `values` points at when rendered now

  explicit ChallengeValues(const LocalReply& reply) {
    if (reply.rendered_challenges != nullptr) {
      if (reply.one_challenge_field) {
        values.emplace_back(reply.rendered_challenges->joined);
      } else {
        values.assign(reply.rendered_challenges->values.begin(), reply.rendered_challenges->values.end());
      }
      return;
    }
    if (reply.one_challenge_field && !reply.challenges.empty()) {
      std::string joined;
      for (const auto& challenge : reply.challenges) {
        joined.append(joined.empty() ? "" : ", ").append(grammar::to_field(challenge));
      }
      rendered.push_back(std::move(joined));
    } else {
      for (const auto& challenge : reply.challenges) rendered.push_back(grammar::to_field(challenge));
    }
    values.assign(rendered.begin(), rendered.end());
  }
};

// The HTML page of a reply and the policy it is sent under; none for plain text, whose body is written
// straight into the wire with no string of its own.
struct ReplyPage {
  const std::string* page = nullptr;
  std::string_view policy = html_policy;
  std::string built_in;  // a page made for this reply (a Retry-After to show)

  ReplyPage(const LocalReply& reply, int meant) {
    if (!reply.html) return;
    if (reply.custom_page != nullptr) {
      page = reply.custom_page;
      policy = custom_page_policy;
      return;
    }
    page = fixed_error_page(meant, reply.side);
    if (page == nullptr) {
      built_in = error_page_html(meant, http::obsolete_reason(static_cast<http::status>(meant)),
                                 reply.retry_after, reply.side);
      page = &built_in;
    }
  }
  ReplyPage(const ReplyPage&) = delete;
  ReplyPage& operator=(const ReplyPage&) = delete;
  std::size_t size() const noexcept { return page != nullptr ? page->size() : 0; }
};

// Every field line but the challenges' and Date's, and the plain body but its reason, fit in this
// (about 420 bytes at most) with room to spare.
constexpr std::size_t fixed_bytes = 640;
constexpr std::size_t field_line_bytes = 32;  // a challenge line's name, ": " and CRLF

}  // namespace

// Written straight to wire bytes: a 401 is the gateway's most frequent answer, and building a Beast
// message (a node per field) and walking its serializer cost more than the answer itself. The bytes go
// into room sized for the worst case first (WireWriter), so no piece checks for room.
RenderedReply render_local_reply(const LocalReply& reply, const HeadAllocator<char>& allocator) {
  const auto status = static_cast<http::status>(reply.status);
  const auto reason = http::obsolete_reason(status);
  const int meant = reply.meant_status != 0 ? reply.meant_status : reply.status;
  const ReplyPage page(reply, meant);
  const ChallengeValues challenges(reply);
  char code_digits[WireWriter::max_number_bytes];
  const char* const code_end = std::to_chars(code_digits, std::end(code_digits), reply.status).ptr;
  const std::string_view code(code_digits, static_cast<std::size_t>(code_end - code_digits));
  // The reason goes in the status line and in the plain body.
  std::size_t bound = fixed_bytes + 2 * reason.size() + reply.date.size() + page.size();
  for (const auto value : challenges.values) bound += field_line_bytes + value.size();

  RenderedReply rendered{ArenaString{allocator}};
  rendered.wire.resize(bound);
  WireWriter out(rendered.wire.data());
  const auto line = [&out](std::string_view name, std::string_view value) {
    out.put(name).put(": ").put(value).put("\r\n");
  };
  // HTTP/1.1 in the status line whatever the request's version (RFC 9110 §2.5), as nginx does.
  out.put("HTTP/1.1 ").put(code).put(" ").put(reason).put("\r\n");
  if (!reply.date.empty()) line("Date", reply.date);
  if (reply.html) {
    out.put("Content-Type: text/html; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\n");
    line("Content-Security-Policy", page.policy);
  } else {
    out.put("Content-Type: text/plain; charset=utf-8\r\n");
  }
  const std::size_t body_size =
      page.page != nullptr ? page.size() : code.size() + 1 + reason.size() + 1;  // "401 Unauthorized\n"
  // Why: a 401/403 must not be served from a shared cache to another user (RFC 9111 §5.2.2.5).
  if (reply.status == 401 || reply.status == 403 || reply.status == 407) {
    out.put("Cache-Control: no-store\r\n");
  }
  // One field line per challenge (RFC 9110 §11.6.1 allows a list, but several real clients only
  // read the first challenge of a line) — unless the front proxy in between passes only one line.
  const std::string_view challenge_field =
      reply.side == policy::Side::proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  for (const auto value : challenges.values) line(challenge_field, value);
  if (reply.meant_status != 0) out.put("X-Authgate-Status: ").number(reply.meant_status).put("\r\n");
  if (meant == 429 || meant == 503) {
    const auto seconds = std::max<std::chrono::seconds::rep>(reply.retry_after.count(), 1);
    out.put("Retry-After: ").number(seconds).put("\r\n");
  }
  out.put("Content-Length: ").number(body_size).put("\r\n");
  if (!reply.keep_alive) {
    out.put("Connection: close\r\n");
  } else if (reply.client_version < 11) {
    out.put("Connection: keep-alive\r\n");  // RFC 9112 §9.3: HTTP/1.0 persistence
  }
  out.put("\r\n");
  if (!reply.head) {
    if (page.page != nullptr) {
      out.put(*page.page);
    } else {
      out.put(code).put(" ").put(reason).put("\n");
    }
    rendered.body_bytes = body_size;
  }
  const auto written = static_cast<std::size_t>(out.end() - rendered.wire.data());
  if (written > bound) std::abort();  // a bound that fell short: stop before the corruption spreads
  rendered.wire.resize(written);
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
