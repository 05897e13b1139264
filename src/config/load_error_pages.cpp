// `error_pages:` (top level and in a route): status code → HTML file. The keys are read here; which codes
// may carry a page, and the files themselves, are validate()'s (validate_error_pages.cpp).
#include "config/limits.hpp"
#include "config/load_sections.hpp"

namespace authgate::config::detail {
namespace {

// Three digits 400–599, nothing else: "0401" or "401 " would be a second spelling of one key.
std::optional<int> status_key(std::string_view key) {
  if (key.size() != 3 || key[0] < '4' || key[0] > '5') return std::nullopt;
  int status = 0;
  for (const char c : key) {
    if (c < '0' || c > '9') return std::nullopt;
    status = status * 10 + (c - '0');
  }
  return status;
}

}  // namespace

void read_error_pages(MapReader& parent, std::vector<ErrorPage>& pages) {
  const YAML::Node* node = parent.find("error_pages");
  if (node == nullptr) return;
  LoadContext& ctx = parent.context();
  MapReader m(ctx, *node, parent.child("error_pages"));
  m.for_each_entry(limits::max_error_pages,
                   [&](const std::string& key, const YAML::Node& value, const std::string& path) {
                     const auto status = status_key(key);
                     if (!status) {
                       ctx.error(value, path, "not an error status: the keys are status codes 400-599");
                       return;
                     }
                     if (auto file = read_scalar(ctx, value, path, "a file path")) {
                       pages.push_back(ErrorPage{*status, ctx.resolve(*file)});
                     }
                   });
}

}  // namespace authgate::config::detail
