// `authgate serve --config F [--check]`: run the gateway (or only validate its configuration).
#include <cstdio>
#include <string>

#include "authgate/version.hpp"
#include "command.hpp"
#include "config/compile.hpp"
#include "gateway/server.hpp"

namespace authgate::app {
namespace {

void print_problems(const config::Problems& problems) {
  for (const auto& problem : problems) std::fprintf(stderr, "%s\n", problem.to_string().c_str());
}

int serve(const std::string& path, bool check_only) {
  gateway::log_to_stderr();
  constexpr std::uint64_t first_generation = 1;
  auto snapshot = config::load_snapshot(path, first_generation);
  if (!snapshot) {
    print_problems(snapshot.error());
    std::fprintf(stderr, "authgate: %s: configuration refused\n", path.c_str());
    return 1;
  }
  if (check_only) {
    for (const auto& warning : (*snapshot)->warnings) std::fprintf(stderr, "%s\n", warning.c_str());
    std::printf("%s: OK, %zu route(s)\n", path.c_str(), (*snapshot)->routes.size());
    return 0;
  }
  gateway::ServerOptions options;
  options.version = authgate::version;
  options.reload = [path](std::uint64_t generation) { return config::load_snapshot(path, generation); };
  return gateway::run_server(*snapshot, std::move(options));
}

// Registered at start-up like every cmd_*.cpp; only bad_alloc could throw there.
// NOLINTNEXTLINE(cert-err58-cpp)
const CommandRegistration serve_command{
    10, [](CLI::App& app) {
      auto* sub = app.add_subcommand("serve", "Run the authenticating reverse proxy");
      auto path = std::make_shared<std::string>();
      auto check = std::make_shared<bool>(false);
      sub->add_option("--config,-c", *path, "YAML configuration file")->required()->check(CLI::ExistingFile);
      sub->add_flag("--check", *check, "Validate the configuration and exit");
      return Command{sub, [path, check] { return serve(*path, *check); }};
    }};

}  // namespace
}  // namespace authgate::app
