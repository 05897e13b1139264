// The HTML error page (see error_page.hpp).
#include "http/error_page.hpp"

#include <algorithm>
#include <vector>

#include <boost/beast/http/status.hpp>

namespace authgate::gateway {
namespace http = boost::beast::http;
namespace {

std::string wait_sentence(std::chrono::seconds retry_after, std::string_view what) {
  const auto seconds = std::max<std::chrono::seconds::rep>(retry_after.count(), 1);
  return std::string(what) + " Wait " + std::to_string(seconds) + (seconds == 1 ? " second" : " seconds") +
         ", then try again.";
}

}  // namespace

std::string error_page_advice(int status, std::chrono::seconds retry_after, policy::Side side) {
  switch (status) {
    case 400:
      return "The request could not be understood. Check the address and try again.";
    case 401:
      return "This page needs you to sign in. If your browser did not ask for a user name and password, or "
             "did not accept them, reload the page to try again.";
    case 403:
      return side == policy::Side::proxy
                 ? "You are signed in to the proxy, but your account may not reach this address."
                 : "You are signed in, but your account may not open this page. Ask the site's administrator "
                   "if you think you should have access.";
    case 404:
      return "There is no page at this address.";
    case 405:
      return "This address does not take that kind of request.";
    case 407:
      return "The proxy needs you to sign in before it forwards your request. Set its user name and password "
             "in your browser or system settings.";
    case 408:
      return "The request took too long to arrive. Reload the page to try again.";
    case 413:
    case 414:
    case 431:
      return "The request is larger than this site accepts.";
    case 429:
      return wait_sentence(retry_after, "There were too many failed sign-in attempts.");
    case 500:
      return "Something went wrong on our side. Try again in a moment.";
    case 502:
      return "The application behind this page did not answer properly. Try again in a moment.";
    case 503:
      return wait_sentence(retry_after, "The site is busy.");
    case 504:
      return "The application behind this page did not answer in time. Try again in a moment.";
    default:
      return {};
  }
}

const std::string* fixed_error_page(int status, policy::Side side) {
  struct Page {
    int status;
    std::string origin, proxy;
  };
  // Built once, on first use (thread-safe), from the same function every other page comes from.
  static const std::vector<Page> pages = [] {
    std::vector<Page> built;
    for (const int code : local_reply_statuses) {
      if (code == 429 || code == 503) continue;  // their pages name the wait
      const auto reason = http::obsolete_reason(static_cast<http::status>(code));
      built.push_back({code, error_page_html(code, reason, std::chrono::seconds(0), policy::Side::origin),
                       error_page_html(code, reason, std::chrono::seconds(0), policy::Side::proxy)});
    }
    return built;
  }();
  for (const auto& page : pages) {
    if (page.status == status) return side == policy::Side::proxy ? &page.proxy : &page.origin;
  }
  return nullptr;
}

std::string error_page_html(int status, std::string_view reason, std::chrono::seconds retry_after,
                            policy::Side side) {
  // Only fixed text goes in: the reason phrase is Beast's and the advice is ours, so nothing needs escaping.
  const std::string title = std::to_string(status) + " " + std::string(reason);
  std::string page;
  page.reserve(1024);
  page.append(
      "<!DOCTYPE html>\n"
      "<html lang=\"en\">\n"
      "<head>\n"
      "<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"color-scheme\" content=\"light dark\">\n"
      "<title>");
  page.append(title);
  page.append(
      "</title>\n"
      "<style>\n"
      "body{font:1.125rem/1.5 "
      "system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh}\n"
      "main{max-width:34rem;padding:2rem}\n"
      "h1{font-size:1.75rem;margin:0 0 .5rem}\n"
      "p{margin:0}\n"
      "</style>\n"
      "</head>\n"
      "<body>\n"
      "<main>\n"
      "<h1>");
  page.append(title);
  page.append("</h1>\n");
  const std::string advice = error_page_advice(status, retry_after, side);
  if (!advice.empty()) page.append("<p>").append(advice).append("</p>\n");
  page.append(
      "</main>\n"
      "</body>\n"
      "</html>\n");
  return page;
}

}  // namespace authgate::gateway
