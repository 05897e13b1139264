// `authgate check --config F`: load, validate and compile a configuration exactly as `serve` would
// (stores included), then print its warnings and its route table. Exit 0 when it would be served,
// 1 with one `file:line:col: path: reason` line per problem when it would be refused.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "config/compile.hpp"

namespace authgate::app {
namespace {

constexpr std::size_t max_cell = 48;  // longer cells are cut so a row stays readable

std::string join(const std::vector<std::string>& items, std::string_view empty) {
  if (items.empty()) return std::string(empty);
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// "staff(basic),api(bearer) scopes=read claims=role token=query": realms with their schemes, then what
// the route requires beyond authentication.
std::string auth_of(const config::Route& route, const config::Config& config) {
  if (route.anonymous) return "anonymous";
  std::string out;
  for (const auto& name : route.realms) {
    const auto it = std::find_if(config.realms.begin(), config.realms.end(),
                                 [&](const config::Realm& r) { return r.name == name; });
    out += (out.empty() ? "" : ",") + name + (it == config.realms.end() ? "" : "(" + it->scheme + ")");
  }
  if (!route.users.empty()) out += " users=" + join(route.users, "");
  if (!route.groups.empty()) out += " groups=" + join(route.groups, "");
  if (!route.scopes.empty()) out += " scopes=" + join(route.scopes, "");
  std::vector<std::string> claims;
  for (const auto& [claim, values] : route.claims) claims.push_back(claim);
  if (!claims.empty()) out += " claims=" + join(claims, "");
  if (route.token_in_query) out += " token=query";
  if (route.token_in_form) out += " token=form";
  return out;
}

std::vector<std::string> row_of(const config::Route& route, const config::Config& config) {
  const std::string path = route.match.path + (route.match.exact ? " (exact)" : "");
  // Without an upstream a route is only decided on (forward-auth listeners), except in the in-code demo.
  const std::string upstream = !route.upstream.empty()
                                   ? route.upstream
                                   : (config.source_file.empty() ? "(built-in)" : "(decisions only)");
  return {
      route.name, join(route.match.hosts, "*"), path, join(route.match.methods, "*"), auth_of(route, config),
      upstream};
}

std::string cut(std::string cell) {
  if (cell.size() > max_cell) cell = cell.substr(0, max_cell - 3) + "...";
  return cell;
}

void print_table(const config::Config& config) {
  std::vector<std::vector<std::string>> rows{{"NAME", "HOSTS", "PATH", "METHODS", "AUTH", "UPSTREAM"}};
  for (const auto& route : config.routes) rows.push_back(row_of(route, config));
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      row[i] = cut(row[i]);
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::printf("%s\n", line.c_str());
  }
}

// "authz  127.0.0.1:9091  forward-auth (x-forwarded, nginx_compat)": what each listener does.
void print_listeners(const config::Config& config) {
  for (const auto& listener : config.listeners) {
    std::string mode = "reverse proxy";
    if (listener.forward_proxy) mode = "forward proxy";
    if (listener.forward_auth) {
      mode = "forward-auth decisions (" + listener.forward_auth->original_request +
             (listener.forward_auth->nginx_compat ? ", nginx_compat" : "") + ")";
    }
    std::printf("listener %s  %s:%u%s  %s\n", listener.name.c_str(), listener.address.c_str(),
                static_cast<unsigned>(listener.port), listener.tls ? " (tls)" : "", mode.c_str());
  }
}

int check(const std::string& path) {
  // The same generation as a first `serve`, so store files are parsed exactly as they would be. Offline:
  // a `state.redis` section is validated (url, timeout, password file) but check connects nowhere.
  const auto snapshot = config::load_snapshot(path, 1, nullptr, config::StateConnection::offline);
  if (!snapshot) {
    const config::Problems problems = snapshot.error();  // error() returns a copy: take it once
    for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
    const auto errors = std::count_if(problems.begin(), problems.end(),
                                      [](const auto& p) { return p.severity == config::Severity::error; });
    std::fprintf(stderr, "%s: refused, %ld error(s)\n", path.c_str(), static_cast<long>(errors));
    return 1;
  }
  const config::Snapshot& s = **snapshot;
  for (const auto& warning : s.warnings) std::fprintf(stderr, "%s\n", warning.c_str());
  print_listeners(s.config);
  print_table(s.config);
  std::printf("%s: OK, %zu route(s), %zu realm(s), %zu store(s), %zu warning(s)\n", path.c_str(),
              s.routes.size(), s.realms.size(), s.config.stores.size(), s.warnings.size());
  return 0;
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration check_command{
    20, [](CLI::App& app) {
      auto* sub = app.add_subcommand("check", "Validate a configuration file and print its routes");
      auto path = std::make_shared<std::string>();
      // No CLI::ExistingFile: a missing file is reported like any other problem, as `file: reason`.
      sub->add_option("--config,-c", *path, "YAML configuration file")->required();
      return Command{sub, [path] { return check(*path); }};
    }};

}  // namespace
}  // namespace authgate::app
