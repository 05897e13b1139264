// authgate: HTTP authentication gateway. Sub-commands live in cmd_<name>.cpp.
#include <algorithm>
#include <cstdio>
#include <exception>
#include <string>

#include "authgate/version.hpp"
#include "command.hpp"

namespace authgate::app {

std::vector<RegisteredCommand>& registered_commands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(int order, CommandSetup setup) {
  registered_commands().push_back({order, std::move(setup)});
}

}  // namespace authgate::app

// A command's failure is caught below; what else can escape is bad_alloc or CLI11 rejecting a command's
// definition (a bug any run shows), and ending the process is the right answer to both.
// NOLINTNEXTLINE(bugprone-exception-escape)
int main(int argc, char** argv) {
  using namespace authgate::app;
  CLI::App app{"authgate — HTTP authentication gateway (RFC 9110 §11)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("authgate ") + authgate::version);

  auto commands = registered_commands();
  std::sort(commands.begin(), commands.end(), [](auto& a, auto& b) { return a.order < b.order; });
  std::vector<Command> runners;
  runners.reserve(commands.size());
  for (auto& command : commands) runners.push_back(command.setup(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  for (auto& [sub, run] : runners) {
    if (sub->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::fprintf(stderr, "authgate: %s\n", e.what());
        return 2;
      }
    }
  }
  return 1;
}
