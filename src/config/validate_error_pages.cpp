// `error_pages` (top level and per route): only statuses the gateway answers itself can have a page. An
// upstream's own 404 or 500 reaches the client as the upstream sent it; a page for it would never show,
// so naming one is a mistake worth a file:line. The files are read, and checked, by compile().
#include <algorithm>
#include <array>
#include <set>

#include "config/checker.hpp"
#include "http/error_page.hpp"

namespace authgate::config::detail {
namespace {

constexpr const auto& own_statuses = gateway::local_reply_statuses;

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
