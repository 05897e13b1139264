// `error_pages` (top level and per route): only statuses the gateway answers itself can have a page. An
// upstream's own 404 or 500 reaches the client as the upstream sent it; a page for it would never show,
// so naming one is a mistake worth a file:line. The files are read, and checked, by compile().
#include <algorithm>
#include <array>
#include <set>

#include "config/checker.hpp"

namespace authgate::config::detail {
namespace {

// Every status the gateway renders itself (http/local_reply.hpp), on any kind of listener.
constexpr std::array<int, 17> own_statuses = {400, 401, 403, 404, 405, 407, 408, 413, 414,
                                              429, 431, 500, 501, 502, 503, 504, 505};

std::string own_status_list() {
  std::string out;
  for (const int status : own_statuses) out += (out.empty() ? "" : ", ") + std::to_string(status);
  return out;
}

}  // namespace

void check_error_pages(Checker& check, const std::vector<ErrorPage>& pages, const std::string& path) {
  std::set<int> seen;
  for (const ErrorPage& page : pages) {
    const std::string at = path + "." + std::to_string(page.status);
    if (std::find(own_statuses.begin(), own_statuses.end(), page.status) == own_statuses.end()) {
      check.error(at, "authgate never answers " + std::to_string(page.status) +
                          " itself, so this page would never be shown (it answers " + own_status_list() +
                          ")");
    } else if (!seen.insert(page.status).second) {
      check.error(at, "a second page for " + std::to_string(page.status));
    }
  }
}

}  // namespace authgate::config::detail
