// Which Accept fields get the HTML error page (http/accept_html.hpp): what browsers send, what API clients
// send, weights, case, and malformed or oversized input, which never turns into HTML by guessing.
#include "http/accept_html.hpp"

#include <gtest/gtest.h>

#include <string>

namespace authgate::gateway {
namespace {

struct Case {
  const char* name;
  std::string accept;
  bool html;
};

TEST(PrefersHtml, Table) {
  const Case cases[] = {
      {"Chromium's navigation",
       "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
       "application/signed-exchange;v=b3;q=0.7",
       true},
      {"Firefox's navigation", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
      {"Safari's navigation", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", true},
      {"XHTML alone", "application/xhtml+xml", true},
      {"curl", "*/*", false},
      {"no field", "", false},
      {"python-requests", "*/*", false},
      {"an API client", "application/json", false},
      {"text/* is a wildcard, not HTML", "text/*", false},
      {"fetch() default", "*/*", false},
      {"plain text first by weight", "text/plain, text/html;q=0.5", false},
      {"equal weights: HTML", "text/plain, text/html", true},
      {"HTML weighted above plain text", "text/plain;q=0.2, text/html", true},
      {"HTML at full weight settles it, whatever follows", "text/html, text/plain, text/html;q=0", true},
      {"a malformed HTML element settles nothing", "text/html;q=x, text/plain", false},
      {"HTML below full weight waits for the rest", "text/html;q=0.9, text/plain", false},
      {"HTML refused with q=0", "text/html;q=0, */*", false},
      {"q=0.000 is zero too", "text/html;q=0.000", false},
      {"the smallest weight is still a yes", "text/html;q=0.001", true},
      {"case does not matter", "TEXT/HTML;Q=0.5", true},
      {"whitespace around everything", "  text/html  ;  q=1  ,  */*  ", true},
      {"a parameter before q", "text/html;level=1;q=0.7", true},
      {"q above 1 is malformed: skipped", "text/html;q=1.5", false},
      {"q with four decimals is malformed", "text/html;q=0.1234", false},
      {"q empty is malformed", "text/html;q=", false},
      {"q not a number is malformed", "text/html;q=x", false},
      {"a parameter without = is malformed", "text/html;level", false},
      {"a malformed element does not hide a good one", "text/html;q=2, application/xhtml+xml", true},
      {"empty elements are skipped", ",,, ,text/html,", true},
      {"just commas", ",,,,", false},
      {"a NUL inside", std::string("text/html\0x", 11), false},
      {"a type prefix only", "text/htmlx", false},
      {"HTML as a parameter value is not HTML", "text/plain;format=text/html", false},
      {"past the element limit nothing is read",
       [] {
         std::string accept;
         for (int i = 0; i < max_accept_elements; ++i) accept += "a/b,";
         return accept + "text/html";
       }(),
       false},
      {"a long field is read in one pass", std::string(100'000, ' ') + "text/html", true},
  };
  for (const auto& c : cases)
    EXPECT_EQ(prefers_html(c.accept), c.html) << c.name << ": " << c.accept.substr(0, 80);
}

}  // namespace
}  // namespace authgate::gateway
