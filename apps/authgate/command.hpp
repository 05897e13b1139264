#pragma once
// Sub-commands register themselves: each cmd_<name>.cpp defines one `const CommandRegistration` that
// adds its CLI11 sub-command, so main.cpp never changes when a command is added.

#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace authgate::app {

/// A sub-command added to the CLI and the function that runs it once parsed (returns the exit status).
struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;
};

/// Adds a sub-command to `app` (with its options bound to captured state) and returns it.
using CommandSetup = std::function<Command(CLI::App& app)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

struct RegisteredCommand {
  int order;  // position in --help
  CommandSetup setup;
};

/// Every registered command, in no particular order.
std::vector<RegisteredCommand>& registered_commands();

}  // namespace authgate::app
